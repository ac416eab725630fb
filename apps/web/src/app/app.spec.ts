import { ComponentFixture, TestBed } from '@angular/core/testing';
import { App } from './app';
import { ModelChoices } from './api/model-choices';
import { FakeAdminServer, meOf } from './admin/testing/fake-admin-server';

describe('App', () => {
  let server: FakeAdminServer;
  let fixture: ComponentFixture<App>;
  let root: HTMLElement;

  beforeEach(() => {
    history.replaceState(null, '', '/');
    document.title = 'tokenstream'; // as index.html has it
    server = new FakeAdminServer().install();
    TestBed.configureTestingModule({
      providers: [
        { provide: ModelChoices, useValue: { load: () => new Promise(() => undefined) } },
      ],
    });
  });
  afterEach(() => {
    server.restore();
    history.replaceState(null, '', '/');
  });

  async function start(): Promise<void> {
    fixture = TestBed.createComponent(App);
    root = fixture.nativeElement as HTMLElement;
    await settle();
  }

  /** Lets the fake api answer, the admin page's code load, and the page render what changed. */
  async function settle(): Promise<void> {
    for (let round = 0; round < 4; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await fixture.whenStable();
    }
  }

  /** A plain click, as a user makes it: the app follows the link, not the browser. */
  async function follow(testId: string): Promise<void> {
    const link = root.querySelector(`[data-testid="${testId}"]`) as HTMLElement;
    link.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }));
    await settle();
  }

  const heading = () => root.querySelector('h1')?.textContent?.trim();

  it('hosts the chat', async () => {
    await start();

    expect(root.querySelector('app-chat')).not.toBeNull();
    expect(heading()).toContain('tokenstream');
  });

  it('links an admin to the admin page, which opens in place, and back', async () => {
    await start();
    expect(root.querySelector('[data-testid="admin-link"]')?.getAttribute('href')).toBe('/admin');

    await follow('admin-link');
    expect(location.pathname).toBe('/admin');
    expect(root.querySelector('app-chat')).toBeNull();
    expect(heading()).toBe('Administration');
    expect(document.title).toBe('Administration · tokenstream');

    await follow('back-to-chat');
    expect(location.pathname).toBe('/');
    expect(root.querySelector('app-chat')).not.toBeNull();
    expect(document.title).toBe('tokenstream');

    // The browser's Back button returns to the admin page.
    const popped = new Promise((resolve) =>
      window.addEventListener('popstate', resolve, { once: true }),
    );
    history.back();
    await popped;
    await settle();
    expect(heading()).toBe('Administration');
  });

  it('shows no admin link to anyone else', async () => {
    server.me = meOf({ isAdmin: false });
    await start();

    expect(root.querySelector('app-chat')).not.toBeNull();
    expect(root.querySelector('[data-testid="admin-link"]')).toBeNull();
  });

  it('opens the admin page at /admin', async () => {
    history.replaceState(null, '', '/admin');
    await start();

    expect(root.querySelector('app-chat')).toBeNull();
    expect([...root.querySelectorAll('h2')].map((h) => h.textContent?.trim())).toEqual([
      'API keys',
      'Usage',
      'Budgets',
      'Audit trail',
    ]);
  });
});
