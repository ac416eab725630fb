// @ts-check
const { TestEnvironment } = require('jest-environment-jsdom');

/**
 * The Fetch and Streams globals a browser has and jsdom lacks. Node has them all, as one
 * implementation (undici and Node's WHATWG streams) whose classes work with each other.
 */
const LENT_FROM_NODE = [
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'TextEncoder',
  'TextDecoder',
  'Response',
  'Request',
];

/**
 * jsdom, plus Node's own `ReadableStream`, `TextEncoder`/`TextDecoder` and `Response`, so specs
 * can hand `ChatStream` a real `Response` with a streaming body.
 *
 * A setup file cannot do this: it runs inside the jsdom realm, where Node's `Response` is out of
 * reach (it is not importable; only the npm `undici` package would be, as a second copy). The
 * environment is built in Node's realm, so it can lend the globals it sees itself.
 */
class JsdomWithFetchEnvironment extends TestEnvironment {
  /** @param {ConstructorParameters<typeof TestEnvironment>} args */
  constructor(...args) {
    super(...args);
    for (const name of LENT_FROM_NODE) {
      if (this.global[name] === undefined) this.global[name] = globalThis[name];
    }
  }
}

module.exports = JsdomWithFetchEnvironment;
