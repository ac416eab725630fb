import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MarkdownHighlighter } from './markdown-highlighter';

describe('MarkdownHighlighter', () => {
  it('gives plain text until highlight.js has loaded, and highlighted HTML once it has', async () => {
    const highlighter = TestBed.inject(MarkdownHighlighter);

    expect(highlighter.highlight('const a = 1;', 'ts')).toBeUndefined();

    highlighter.load();
    await TestBed.inject(ApplicationRef).whenStable();

    expect(highlighter.highlight('const a = 1;', 'ts')).toBe(
      '<span class="hljs-keyword">const</span> a = <span class="hljs-number">1</span>;',
    );
    expect(highlighter.highlight('const a = 1;', 'brainfuck')).toBeUndefined();
  });
});
