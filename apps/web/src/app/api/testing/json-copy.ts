/** A deep copy through JSON, as a value crosses the wire: what a test keeps cannot change later. */
export const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
