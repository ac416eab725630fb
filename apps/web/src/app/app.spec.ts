import { TestBed } from '@angular/core/testing';
import { App } from './app';
import { ModelChoices } from './api/model-choices';

describe('App', () => {
  it('hosts the chat', async () => {
    TestBed.configureTestingModule({
      providers: [
        { provide: ModelChoices, useValue: { load: () => new Promise(() => undefined) } },
      ],
    });
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();

    const root = fixture.nativeElement as HTMLElement;
    expect(root.querySelector('app-chat')).not.toBeNull();
    expect(root.querySelector('h1')?.textContent).toContain('tokenstream');
  });
});
