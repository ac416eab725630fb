import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MessageView } from './message-view';
import { ChatNode } from './conversation-tree';

const question: ChatNode = {
  id: 'q1',
  parentId: null,
  role: 'user',
  text: 'What is **this**?',
  status: 'done',
  kept: true,
};

const answer: ChatNode = {
  id: 'a1',
  parentId: 'q1',
  role: 'assistant',
  text: 'It is **bold**.',
  status: 'done',
  kept: true,
  finishReason: 'stop',
};

interface Inputs {
  branch?: { index: number; count: number };
  busy?: boolean;
  reconnecting?: boolean;
  sessionExpired?: boolean;
}

describe('MessageView', () => {
  let fixture: ComponentFixture<MessageView>;
  let view: HTMLElement;
  let edited: string[];
  let regenerated: number;
  let branchSteps: number[];

  async function render(node: ChatNode, inputs: Inputs = {}): Promise<void> {
    fixture = TestBed.createComponent(MessageView);
    fixture.componentRef.setInput('node', node);
    for (const [name, value] of Object.entries(inputs)) fixture.componentRef.setInput(name, value);
    view = fixture.nativeElement as HTMLElement;
    edited = [];
    regenerated = 0;
    branchSteps = [];
    fixture.componentInstance.edited.subscribe((text) => edited.push(text));
    fixture.componentInstance.regenerate.subscribe(() => regenerated++);
    fixture.componentInstance.showBranch.subscribe((step) => branchSteps.push(step));
    await fixture.whenStable();
  }

  const settle = () => fixture.whenStable();
  const byTestId = <T extends HTMLElement = HTMLButtonElement>(id: string) =>
    view.querySelector<T>(`[data-testid="${id}"]`);
  const status = () => byTestId<HTMLElement>('status')?.textContent?.replace(/\s+/g, ' ').trim();

  function press(target: HTMLElement, key: string, shiftKey = false): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
    return event;
  }

  async function startEditing(): Promise<HTMLTextAreaElement> {
    byTestId('edit')?.click();
    await settle();
    return byTestId<HTMLTextAreaElement>('edit-text') as HTMLTextAreaElement;
  }

  describe('a user message', () => {
    it('shows its text as written, not as Markdown', async () => {
      await render(question);

      expect(byTestId<HTMLElement>('user-message')?.textContent).toBe('What is **this**?');
      expect(view.querySelector('strong')).toBeNull();
    });

    it('opens an editor holding the text, focused, on Edit', async () => {
      await render(question);

      const editor = await startEditing();

      expect(editor.value).toBe('What is **this**?');
      expect(document.activeElement).toBe(editor);
      expect(byTestId('user-message')).toBeNull();
    });

    it('sends the edited text on Enter, trimmed, and closes the editor', async () => {
      await render(question);
      const editor = await startEditing();

      editor.value = '  What is that?  ';
      const enter = press(editor, 'Enter');
      await settle();

      expect(edited).toEqual(['What is that?']);
      expect(enter.defaultPrevented).toBe(true);
      expect(byTestId('edit-text')).toBeNull();
    });

    it('keeps Shift+Enter for a new line', async () => {
      await render(question);
      const editor = await startEditing();

      const enter = press(editor, 'Enter', true);
      await settle();

      expect(edited).toEqual([]);
      expect(enter.defaultPrevented).toBe(false);
      expect(byTestId('edit-text')).not.toBeNull();
    });

    it('sends with the Send button, but not an empty text', async () => {
      await render(question);
      const editor = await startEditing();

      editor.value = '   ';
      byTestId('edit-send')?.click();
      await settle();
      expect(edited).toEqual([]);
      expect(byTestId('edit-text')).not.toBeNull();

      editor.value = 'Better';
      byTestId('edit-send')?.click();
      await settle();
      expect(edited).toEqual(['Better']);
    });

    it('cancels the edit on Escape, sending nothing, and the key goes no further', async () => {
      await render(question);
      const reachedPage = jest.fn();
      document.addEventListener('keydown', reachedPage);
      try {
        const editor = await startEditing();

        editor.value = 'Not this';
        press(editor, 'Escape');
        await settle();

        expect(edited).toEqual([]);
        expect(byTestId('edit-text')).toBeNull();
        expect(byTestId<HTMLElement>('user-message')?.textContent).toBe('What is **this**?');
        expect(reachedPage).not.toHaveBeenCalled();
      } finally {
        document.removeEventListener('keydown', reachedPage);
      }
    });

    it('cancels the edit with Cancel', async () => {
      await render(question);
      await startEditing();

      const cancel = [...view.querySelectorAll('button')].find(
        (b) => b.textContent?.trim() === 'Cancel',
      );
      cancel?.click();
      await settle();

      expect(byTestId('edit-text')).toBeNull();
      expect(edited).toEqual([]);
    });

    it('offers no edit while a reply streams, and sends none from an editor already open', async () => {
      await render(question);
      const editor = await startEditing();
      fixture.componentRef.setInput('busy', true);
      await settle();

      press(editor, 'Enter');
      await settle();

      expect(edited).toEqual([]);
      expect(byTestId('edit-send')?.disabled).toBe(true);

      await render(question, { busy: true });
      expect(byTestId('edit')?.disabled).toBe(true);
    });
  });

  describe('an assistant message', () => {
    it('shows its text as Markdown', async () => {
      await render(answer);

      expect(byTestId<HTMLElement>('assistant-text')?.querySelector('strong')?.textContent).toBe(
        'bold',
      );
      expect(byTestId<HTMLElement>('assistant-message')?.getAttribute('data-state')).toBe('done');
      expect(byTestId('status')).toBeNull();
    });

    it('offers no actions while it streams, and says Reconnecting… when its connection broke', async () => {
      const streaming: ChatNode = { ...answer, status: 'streaming', finishReason: undefined };
      await render(streaming);

      expect(byTestId('regenerate')).toBeNull();
      expect(byTestId('copy-reply')).toBeNull();
      expect(byTestId('status')).toBeNull();

      fixture.componentRef.setInput('reconnecting', true);
      await settle();

      expect(status()).toBe('Reconnecting…');
    });

    it('says Stopped under a stopped reply', async () => {
      await render({ ...answer, status: 'stopped', finishReason: 'cancelled' });

      expect(status()).toBe('Stopped');
      expect(byTestId('regenerate')).not.toBeNull();
    });

    it('says a reply was cut short at its length limit, or by the content filter', async () => {
      await render({ ...answer, finishReason: 'length' });
      expect(status()).toBe('Cut short: the reply reached its length limit.');

      await render({ ...answer, finishReason: 'content_filter' });
      expect(status()).toBe("Stopped by the model's content filter.");
    });

    it('shows why it failed, the problems and the reference, with Retry instead of Regenerate', async () => {
      await render({
        ...answer,
        text: '',
        status: 'failed',
        error: {
          kind: 'rejected',
          message: 'The request was refused.',
          retryable: false,
          problems: [{ path: 'messages[0].content', message: 'is too long' }],
          requestId: 'req-7',
        },
      });

      expect(byTestId<HTMLElement>('error-message')?.textContent).toBe('The request was refused.');
      expect(view.querySelector('.problems')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
        'messages[0].content: is too long',
      );
      expect(view.querySelector('.reference')?.textContent).toBe('Reference: req-7');
      expect(byTestId('regenerate')).toBeNull();
      expect(byTestId('copy-reply')).toBeNull(); // nothing to copy

      byTestId('retry')?.click();
      expect(regenerated).toBe(1);
    });

    it('offers no Retry for a reply paused by an expired session, until the session is back', async () => {
      const paused: ChatNode = {
        ...answer,
        status: 'failed',
        error: { kind: 'unauthenticated', message: 'Paused: sign in.', retryable: false },
      };
      await render(paused, { sessionExpired: true });
      expect(byTestId('retry')).toBeNull();

      fixture.componentRef.setInput('sessionExpired', false);
      await settle();
      expect(byTestId('retry')).not.toBeNull();
    });

    it('regenerates on Regenerate, which is disabled while a reply streams', async () => {
      await render(answer);
      byTestId('regenerate')?.click();
      expect(regenerated).toBe(1);

      fixture.componentRef.setInput('busy', true);
      await settle();

      expect(byTestId('regenerate')?.disabled).toBe(true);
    });
  });

  describe('a reasoning model’s thinking', () => {
    const thinking = () => byTestId<HTMLDetailsElement>('thinking');
    const summary = () => thinking()?.querySelector('summary')?.textContent?.trim();

    it('is collapsed as "Thinking…" while the model thinks, and opens to show it', async () => {
      await render({ ...answer, text: '', reasoning: 'Weighing it up.', status: 'streaming' });
      expect(thinking()?.open).toBe(false);
      expect(summary()).toBe('Thinking…');
      expect(byTestId('thinking-text')?.textContent).toBe('Weighing it up.');

      thinking()?.querySelector('summary')?.click();
      expect(thinking()?.open).toBe(true);
    });

    it('stays collapsed above the answer once the text comes, and is not part of it', async () => {
      await render({ ...answer, reasoning: 'Weighing it up.' });
      expect(summary()).toBe('Thinking');
      expect(thinking()?.open).toBe(false);
      expect(byTestId<HTMLElement>('assistant-text')?.textContent).not.toContain('Weighing');
    });

    it('is not there for a reply without any', async () => {
      await render(answer);
      expect(thinking()).toBeNull();
    });
  });

  describe('copy', () => {
    let writeText: jest.Mock<Promise<void>, [string]>;

    beforeEach(() => {
      writeText = jest.fn<Promise<void>, [string]>(async () => undefined);
      Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    });

    afterEach(() => {
      Reflect.deleteProperty(navigator, 'clipboard');
      jest.useRealTimers();
    });

    it('copies a reply as written (Markdown), says Copied, then Copy again', async () => {
      jest.useFakeTimers({
        doNotFake: ['queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame'],
      });
      await render(answer);

      byTestId('copy-reply')?.click();
      await jest.advanceTimersByTimeAsync(0);
      await settle();

      expect(writeText).toHaveBeenCalledWith('It is **bold**.');
      expect(byTestId('copy-reply')?.textContent?.trim()).toBe('Copied');

      await jest.advanceTimersByTimeAsync(2_000);
      await settle();
      expect(byTestId('copy-reply')?.textContent?.trim()).toBe('Copy');
    });

    it('copies a user message', async () => {
      await render(question);

      const copy = view.querySelector<HTMLButtonElement>('[aria-label="Copy this message"]');
      copy?.click();
      await settle();

      expect(writeText).toHaveBeenCalledWith('What is **this**?');
      expect(copy?.textContent?.trim()).toBe('Copied');
    });

    it('says nothing when the clipboard refuses', async () => {
      writeText.mockRejectedValue(new Error('denied'));
      await render(answer);

      byTestId('copy-reply')?.click();
      await settle();

      expect(byTestId('copy-reply')?.textContent?.trim()).toBe('Copy');
    });
  });

  describe('branches', () => {
    it('shows where the message stands among its versions, and moves between them', async () => {
      await render(answer, { branch: { index: 1, count: 3 } });

      expect(
        byTestId<HTMLElement>('branch-position')?.textContent?.replace(/\s+/g, ' ').trim(),
      ).toBe('Version 2/3');
      byTestId('branch-previous')?.click();
      byTestId('branch-next')?.click();

      expect(branchSteps).toEqual([-1, 1]);
    });

    it('cannot move before the first version or after the last', async () => {
      await render(question, { branch: { index: 0, count: 2 } });
      expect(byTestId('branch-previous')?.disabled).toBe(true);
      expect(byTestId('branch-next')?.disabled).toBe(false);

      fixture.componentRef.setInput('branch', { index: 1, count: 2 });
      await settle();
      expect(byTestId('branch-previous')?.disabled).toBe(false);
      expect(byTestId('branch-next')?.disabled).toBe(true);
    });

    it('cannot move while a reply streams', async () => {
      await render(answer, { branch: { index: 1, count: 3 }, busy: true });

      expect(byTestId('branch-previous')?.disabled).toBe(true);
      expect(byTestId('branch-next')?.disabled).toBe(true);
    });

    it('shows no branch buttons for a message with one version', async () => {
      await render(answer);

      expect(byTestId('branches')).toBeNull();
    });
  });
});
