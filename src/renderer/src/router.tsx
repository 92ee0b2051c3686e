/**
 * A hash router (#/cases/<id>/<tab>): the renderer is loaded from file:// in Electron and from the
 * bridge in a browser, and a hash works the same in both without a server-side route. The bridge's
 * `#token=…` fragment is read (and removed) by the client before the first route is resolved.
 */
import { useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';

export type Route =
  /** `newCase`: the cases list with the new-case dialog open (#/new-case; Electron's File → New case). */
  | { page: 'cases'; newCase?: boolean }
  | { page: 'case'; caseId: string; tab: string; runId?: number }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'settings') return { page: 'settings' };
  if (parts[0] === 'new-case') return { page: 'cases', newCase: true };
  if (parts[0] === 'cases' && parts[1]) {
    const runId = parts[2] === 'results' && parts[3] ? Number(parts[3]) : undefined;
    return { page: 'case', caseId: parts[1], tab: parts[2] ?? 'exhibits', ...(Number.isInteger(runId) ? { runId } : {}) };
  }
  return { page: 'cases' };
}

export function routeHref(route: Route): string {
  if (route.page === 'settings') return '#/settings';
  if (route.page === 'case') {
    const run = route.runId !== undefined && route.tab === 'results' ? `/${route.runId}` : '';
    return `#/cases/${encodeURIComponent(route.caseId)}/${route.tab}${run}`;
  }
  return route.newCase ? '#/new-case' : '#/cases';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route).slice(1);
}

/** An anchor to a route (keeps the browser's link behaviour: middle click, focus, screen readers). */
export function RouteLink({ to, children, testId }: { to: Route; children: ReactNode; testId?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={routeHref(to)} onClick={onClick} data-testid={testId}>
      {children}
    </a>
  );
}
