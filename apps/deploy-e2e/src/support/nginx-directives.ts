/** The unit factors of nginx's time values (https://nginx.org/en/docs/syntax.html), in seconds. */
const SECONDS_PER: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 604_800,
  M: 2_592_000,
  y: 31_536_000,
};

/**
 * The directives of the `location <path> { … }` block of an nginx config, by name, for a block
 * without nested blocks (as the deploy template's are). Comments are dropped first.
 */
export function locationDirectives(config: string, path: string): Map<string, string> {
  const text = config.replace(/#.*$/gm, '');
  const start = text.indexOf(`location ${path} {`);
  if (start < 0) throw new Error(`the config has no "location ${path} {" block`);
  const body = text.slice(text.indexOf('{', start) + 1, text.indexOf('}', start));
  const directives = new Map<string, string>();
  for (const statement of body.split(';')) {
    const [name, ...values] = statement.trim().split(/\s+/);
    if (name) directives.set(name, values.join(' '));
  }
  return directives;
}

/** An nginx time value (`90`, `90s`, `10m`, `1h 30m`) in seconds; a bare number is seconds. */
export function nginxSeconds(value: string): number {
  let total = 0;
  for (const part of value.trim().split(/\s+/)) {
    const match = /^(\d+)(ms|s|m|h|d|w|M|y)?$/.exec(part);
    if (!match) throw new Error(`"${value}" is not an nginx time value`);
    total += Number(match[1]) * SECONDS_PER[match[2] ?? 's'];
  }
  return total;
}
