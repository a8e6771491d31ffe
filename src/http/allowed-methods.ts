/**
 * Which methods a path answers, from the app's own route table: a request with
 * another method gets 405 with `Allow` (RFC 9110 §15.5.6) instead of a 404 that
 * would say the resource does not exist.
 */
interface RouteLike {
  method: string;
  path: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Hono's path syntax (`/a/:id`, `/a/:file{.+\.ics}`, `/a/*`) as an anchored RegExp. */
function compile(path: string): RegExp {
  const parts = path.split('/').map((segment) => {
    if (segment === '*') return '.*';
    const param = /^:[^{}?]+(\{(.+)\})?(\?)?$/.exec(segment);
    if (param) return `(?:${param[2] ?? '[^/]+'})${param[3] ?? ''}`;
    return escape(segment);
  });
  return new RegExp(`^${parts.join('/')}/?$`);
}

export function methodsFor(routes: readonly RouteLike[]) {
  let compiled: { method: string; pattern: RegExp }[] = [];
  let compiledFrom = -1;
  return (path: string): string[] => {
    // Routes are all registered before the first request; compile once then.
    if (compiledFrom !== routes.length) {
      compiled = routes.filter((r) => r.method !== 'ALL').map((r) => ({ method: r.method, pattern: compile(r.path) }));
      compiledFrom = routes.length;
    }
    const methods = new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
