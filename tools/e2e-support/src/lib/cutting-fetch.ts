/** A seeded generator of numbers in [0, 1), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * A `fetch` whose every answer breaks off after a random number of bytes (40 to 540, from `next`),
 * wherever they fall: inside a frame, inside a UTF-8 character. What a flaky network does to a
 * reader.
 */
export function cuttingFetch(next: () => number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    const reader = response.body.getReader();
    let left = 40 + Math.floor(next() * 500);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (left <= 0) {
          await reader.cancel();
          return controller.error(new TypeError('terminated'));
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const part = value.subarray(0, left);
        left -= part.byteLength;
        controller.enqueue(part);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}
