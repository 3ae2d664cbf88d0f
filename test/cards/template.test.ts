import { describe, expect, it } from 'vitest';
import { codePointLength, escapeMarkdown, renderSummary, renderTemplate, trusted, truncate } from '../../src/cards/template.js';

describe('card templates', () => {
  it('substitutes placeholders and escapes data in markdown only', () => {
    const values = { payer: 'A*B [x](http://evil)', n: 3 };
    expect(renderTemplate('{{payer}} has {{ n }}', values, 'markdown')).toBe('A\\*B \\[x\\](http://evil) has 3');
    expect(renderTemplate('{{payer}}', values, 'text')).toBe('A*B [x](http://evil)');
  });

  it('inserts trusted fragments as they are and folds newlines in data', () => {
    expect(renderTemplate('{{a}}|{{b}}', { a: trusted('- **x**'), b: 'line1\n# line2' }, 'markdown')).toBe('- **x**|line1 \\# line2');
    expect(escapeMarkdown('`code`')).toBe('\\`code\\`');
  });

  it('throws on a placeholder without a value, naming it', () => {
    expect(() => renderTemplate('Hello {{brand}}', {}, 'text')).toThrow('{{brand}}');
  });

  it('keeps summaries under 140 characters: shorter template first, then a safe cut', () => {
    const long = 'x'.repeat(150);
    expect(renderSummary(['{{a}} for {{b}}', '{{b}} only'], { a: long, b: 'Ixempra' })).toBe('Ixempra only');
    const cut = renderSummary(['{{a}}'], { a: `${'word '.repeat(40)}😀😀` });
    expect(codePointLength(cut)).toBeLessThanOrEqual(139);
    expect(cut.endsWith('…')).toBe(true);
    // never splits a surrogate pair
    const emoji = truncate('😀'.repeat(200));
    expect(codePointLength(emoji)).toBe(139);
    expect(emoji.includes('\uFFFD')).toBe(false);
  });
});
