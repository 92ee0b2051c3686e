/** PDF evidence report: the model the lead fills, the renderer, and the formatting the tests check against. */
export { renderReport, renderReportBytes, type RenderOptions, type RenderedReport } from './render-report.ts';
export { ReportModelSchema, ReportModelError, parseReportModel, type ReportModel, type ReportModelInput } from './report-model.ts';
export { formatP } from './format.ts';
export { verdictHeadline, headlineProbability } from './sections-front.ts';
export { METHOD_TEXTS } from './method-texts.ts';
