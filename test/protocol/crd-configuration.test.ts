import { describe, expect, it } from 'vitest';
import { defaultCardConfiguration, parseCardConfiguration } from '../../src/protocol/crd-configuration.js';

describe('davinci-crd.configuration', () => {
  it('defaults to every card type and 10 cards', () => {
    expect(parseCardConfiguration(undefined)).toEqual(defaultCardConfiguration());
    expect(parseCardConfiguration({})).toEqual(defaultCardConfiguration());
    expect(defaultCardConfiguration().maxCards).toBe(10);
  });

  it('honours known codes', () => {
    const config = parseCardConfiguration({
      'davinci-crd.configuration': { coverage: false, 'missing-data': false, 'no-policy-for-plan': false, 'max-cards': 2 },
    });
    expect(config.cards).toEqual({
      coverage: false, limits: true, 'off-guideline': true, 'missing-data': false, 'no-policy-for-plan': false, instructions: false,
    });
    expect(config.maxCards).toBe(2);
  });

  it('ignores unknown codes and values of the wrong type', () => {
    const config = parseCardConfiguration({
      'davinci-crd.configuration': {
        alerts: false, limits: 'false', 'max-cards': 2.5, instructions: null, toString: false,
      },
      other: { coverage: false },
    });
    expect(config).toEqual(defaultCardConfiguration());
    expect(parseCardConfiguration({ 'davinci-crd.configuration': { 'max-cards': -1 } }).maxCards).toBe(10);
    expect(parseCardConfiguration({ 'davinci-crd.configuration': [true] })).toEqual(defaultCardConfiguration());
  });
});
