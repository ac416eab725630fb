import { createHash } from 'node:crypto';

/** A Lua script, sent by its SHA1 and by its text the first time a server has not seen it. */
export interface Script {
  source: string;
  sha1: string;
}

/** What a script's arguments look like to node-redis. */
export interface ScriptArguments {
  keys: string[];
  arguments: string[];
}

/** The part of a node-redis client that runs scripts. */
export interface ScriptRedisClient {
  eval(script: string, options: ScriptArguments): Promise<unknown>;
  evalSha(sha1: string, options: ScriptArguments): Promise<unknown>;
}

/** `source` as a {@link Script}, its SHA1 computed once. */
export function redisScript(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Runs `script` by its SHA1, sending its text only when the server has not cached it. */
export async function evaluateScript(
  client: ScriptRedisClient,
  script: Script,
  options: ScriptArguments,
): Promise<unknown> {
  try {
    return await client.evalSha(script.sha1, options);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
    return client.eval(script.source, options);
  }
}
