import { forwardAbort } from './forward-abort';

describe('forwardAbort', () => {
  it('aborts the target with the source’s reason when the source aborts', () => {
    const source = new AbortController();
    const target = new AbortController();
    forwardAbort(source.signal, target);
    expect(target.signal.aborted).toBe(false);
    const reason = new Error('caller gone');
    source.abort(reason);
    expect(target.signal.reason).toBe(reason);
  });

  it('aborts the target at once when the source has already aborted', () => {
    const reason = new Error('already gone');
    const target = new AbortController();
    forwardAbort(AbortSignal.abort(reason), target);
    expect(target.signal.reason).toBe(reason);
  });

  it('forwards nothing once unlinked', () => {
    const source = new AbortController();
    const target = new AbortController();
    const unlink = forwardAbort(source.signal, target);
    unlink();
    source.abort();
    expect(target.signal.aborted).toBe(false);
  });
});
