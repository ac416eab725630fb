import { TestBed } from '@angular/core/testing';
import { pageAt, Pages } from './pages';

describe('Pages', () => {
  beforeEach(() => history.replaceState(null, '', '/'));
  afterEach(() => history.replaceState(null, '', '/'));

  const click = (init: MouseEventInit = {}) =>
    new MouseEvent('click', { cancelable: true, button: 0, ...init });

  it('shows the admin page under /admin, and the chat anywhere else', () => {
    expect(pageAt('/admin')).toBe('admin');
    expect(pageAt('/admin/')).toBe('admin');
    expect(pageAt('/')).toBe('chat');
    expect(pageAt('/administrator')).toBe('chat');
  });

  it('opens a page in place for a plain click, as a new entry in the history', () => {
    const pages = TestBed.inject(Pages);
    const before = history.length;
    const event = click();

    pages.open(event, 'admin');

    expect(event.defaultPrevented).toBe(true);
    expect(location.pathname).toBe('/admin');
    expect(history.length).toBe(before + 1);
    expect(pages.current()).toBe('admin');
  });

  it('leaves a click meant for a new tab to the browser', () => {
    const pages = TestBed.inject(Pages);
    for (const init of [{ ctrlKey: true }, { metaKey: true }, { shiftKey: true }, { button: 1 }]) {
      const event = click(init);
      pages.open(event, 'admin');
      expect(event.defaultPrevented).toBe(false);
    }
    expect(pages.current()).toBe('chat');
    expect(location.pathname).toBe('/');
  });
});
