/** The wire protocol a configuration names. */
import type { HttpOracleConfig } from '../options.ts';
import { jsonTemplateProtocol } from './json-template.ts';
import { kserveProtocol } from './kserve.ts';
import { tfservingProtocol } from './tfserving.ts';
import type { WireProtocol } from './wire-protocol.ts';

export function wireProtocol(cfg: HttpOracleConfig): WireProtocol {
  const s = {
    inputShape: cfg.inputShape,
    numClasses: cfg.numClasses,
    layout: cfg.preprocessing.layout,
    inputName: cfg.inputName,
    outputName: cfg.outputName,
  };
  if (cfg.protocol === 'kserve') return kserveProtocol(s);
  if (cfg.protocol === 'tfserving') return tfservingProtocol(s);
  return jsonTemplateProtocol(s, cfg.json!);
}
