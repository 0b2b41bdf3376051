import type { CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { PhoneNumber, maskPhone, type PhoneType } from './phone-number.js';

interface ValidCase {
  readonly input: string;
  readonly defaultCountry?: CountryCode;
  readonly e164: string;
  readonly country: CountryCode;
  readonly type: PhoneType;
}

const valid: readonly ValidCase[] = [
  // Brazil, mobile, every notation people use
  { input: '+55 11 98765-4321', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+55 (11) 9 8765-4321', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+5511987654321', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '  +55 11 98765 4321  ', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+55.11.98765.4321', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '(11) 98765-4321', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '11 98765-4321', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '011 98765-4321', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '5511987654321', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+55 11 98765-4321 ext. 12', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  // an explicit +55 wins over another default country
  { input: '+55 11 98765-4321', defaultCountry: 'US', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+55 21 99876-5432', e164: '+5521998765432', country: 'BR', type: 'mobile' },
  // Brazil, legacy 8-digit mobiles ⇒ canonical with the 9th digit
  { input: '+55 11 8765-4321', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+551187654321', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '(11) 8765-4321', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '551187654321', defaultCountry: 'BR', e164: '+5511987654321', country: 'BR', type: 'mobile' },
  { input: '+55 61 9876-5432', e164: '+5561998765432', country: 'BR', type: 'mobile' },
  { input: '+55 81 8654-3210', e164: '+5581986543210', country: 'BR', type: 'mobile' },
  // legacy mobiles starting with 7: libphonenumber still calls the 8-digit form valid
  { input: '+55 11 7654-3210', e164: '+5511976543210', country: 'BR', type: 'mobile' },
  { input: '+55 21 7654-3210', e164: '+5521976543210', country: 'BR', type: 'mobile' },
  // Brazil, landlines keep their 8 digits (never given a 9)
  { input: '+55 11 3456-7890', e164: '+551134567890', country: 'BR', type: 'fixed_line' },
  { input: '(11) 3456-7890', defaultCountry: 'BR', e164: '+551134567890', country: 'BR', type: 'fixed_line' },
  { input: '+55 21 2555-1234', e164: '+552125551234', country: 'BR', type: 'fixed_line' },
  { input: '+55 11 5054-3210', e164: '+551150543210', country: 'BR', type: 'fixed_line' },
  // United States
  { input: '+1 212 555 0123', e164: '+12125550123', country: 'US', type: 'fixed_line_or_mobile' },
  { input: '+1 (212) 555-0123', e164: '+12125550123', country: 'US', type: 'fixed_line_or_mobile' },
  { input: '(212) 555-0123', defaultCountry: 'US', e164: '+12125550123', country: 'US', type: 'fixed_line_or_mobile' },
  { input: '212-555-0123', defaultCountry: 'US', e164: '+12125550123', country: 'US', type: 'fixed_line_or_mobile' },
  { input: '1 212 555 0123', defaultCountry: 'US', e164: '+12125550123', country: 'US', type: 'fixed_line_or_mobile' },
  // Portugal
  { input: '+351 912 345 678', e164: '+351912345678', country: 'PT', type: 'mobile' },
  { input: '912 345 678', defaultCountry: 'PT', e164: '+351912345678', country: 'PT', type: 'mobile' },
  { input: '+351 21 234 5678', e164: '+351212345678', country: 'PT', type: 'fixed_line' },
  // other types
  { input: '+1 800 234 5678', e164: '+18002345678', country: 'US', type: 'toll_free' },
  { input: '0800 891 0000', defaultCountry: 'BR', e164: '+558008910000', country: 'BR', type: 'toll_free' },
  { input: '+44 56 1234 5678', e164: '+445612345678', country: 'GB', type: 'voip' },
  { input: '+1 900 234 5678', e164: '+19002345678', country: 'US', type: 'other' },
];

describe('PhoneNumber.parse — valid numbers', () => {
  it.each(valid)('$input (default $defaultCountry) ⇒ $e164', ({ input, defaultCountry, e164, country, type }) => {
    const phone = PhoneNumber.parse(input, { defaultCountry });
    expect(phone.e164).toBe(e164);
    expect(phone.country).toBe(country);
    expect(phone.type).toBe(type);
    expect(phone.digits).toBe(e164.slice(1));
    expect(String(phone)).toBe(e164);
    expect(JSON.stringify({ phone })).toBe(`{"phone":"${e164}"}`);
    expect(Object.isFrozen(phone)).toBe(true);
  });

  it('is idempotent: parsing the canonical form yields the same number', () => {
    for (const { input, defaultCountry } of valid) {
      const phone = PhoneNumber.parse(input, { defaultCountry });
      expect(PhoneNumber.parse(phone.e164).e164).toBe(phone.e164);
      expect(PhoneNumber.fromE164(phone.e164).e164).toBe(phone.e164);
    }
  });
});

describe('Brazilian 9th digit', () => {
  it.each([
    ['+55 11 98765-4321', '+55 11 8765-4321'],
    ['(11) 98765-4321', '(11) 8765-4321'],
    ['+55 11 97654-3210', '+55 11 7654-3210'],
    ['+55 81 98654-3210', '5581 8654-3210'],
  ])('%s and %s are the same lead', (modern, legacy) => {
    const a = PhoneNumber.parse(modern, { defaultCountry: 'BR' });
    const b = PhoneNumber.parse(legacy, { defaultCountry: 'BR' });
    expect(a.equals(b)).toBe(true);
    expect(b.equals(a)).toBe(true);
  });

  it('does not confuse a landline with a mobile that differs by a 9', () => {
    const landline = PhoneNumber.parse('+55 11 3456-7890');
    expect(landline.variants()).toEqual(['+551134567890']);
    expect(PhoneNumber.tryParse('+55 11 93456-7890')?.equals(landline) ?? false).toBe(false);
  });

  it('distinguishes different subscribers', () => {
    expect(PhoneNumber.parse('+55 11 98765-4321').equals(PhoneNumber.parse('+55 11 98765-4322'))).toBe(false);
    expect(PhoneNumber.parse('+55 11 98765-4321').equals(PhoneNumber.parse('+55 21 98765-4321'))).toBe(false);
  });
});

describe('variants', () => {
  it.each([
    ['+55 11 98765-4321', ['+5511987654321', '+551187654321']],
    ['+55 11 8765-4321', ['+5511987654321', '+551187654321']],
    ['+55 21 97654-3210', ['+5521976543210', '+552176543210']],
    ['+55 11 3456-7890', ['+551134567890']],
    ['+1 212 555 0123', ['+12125550123']],
    ['+351 912 345 678', ['+351912345678']],
  ])('%s ⇒ %j', (input, expected) => {
    expect(PhoneNumber.parse(input).variants()).toEqual(expected);
  });

  it('every variant parses back to the same canonical number', () => {
    for (const input of ['+55 11 98765-4321', '+55 21 97654-3210', '+55 61 99876-5432', '+55 11 96543-2109']) {
      const phone = PhoneNumber.parse(input);
      for (const variant of phone.variants()) expect(PhoneNumber.parse(variant).e164).toBe(phone.e164);
    }
  });
});

describe('masked / maskPhone', () => {
  it.each([
    ['+55 11 98765-4321', '+55119****4321'],
    ['+55 11 3456-7890', '+5511****7890'],
    ['+1 212 555 0123', '+121****0123'],
    ['+351 912 345 678', '+3519****5678'],
  ])('%s ⇒ %s', (input, masked) => {
    const phone = PhoneNumber.parse(input);
    expect(phone.masked()).toBe(masked);
    expect(maskPhone(phone)).toBe(masked);
  });

  it('masks raw strings too, whatever their form', () => {
    expect(maskPhone('+55 11 98765-4321')).toBe('+55119****4321');
    expect(maskPhone('5511987654321')).toBe('55119****4321');
    expect(maskPhone('not a phone')).toBe('not a phone');
    expect(maskPhone('x'.repeat(40))).toBe(`${'x'.repeat(24)}…`);
  });
});

describe('PhoneNumber.parse — invalid input', () => {
  const raw = (value: string) => value.replace(/\D/g, '');
  const invalid: ReadonlyArray<readonly [label: string, input: string, defaultCountry: CountryCode | undefined, reason: RegExp]> = [
    ['empty', '', 'BR', /is empty/],
    ['blank', '   ', 'BR', /is empty/],
    ['letters only', 'abc', 'BR', /contains letters/],
    ['letters mixed in', '+55 11 9876a-4321', 'BR', /contains letters/],
    ['a word after the number', '+55 11 98765-4321 call me', 'BR', /contains letters/],
    ['too short', '123', 'BR', /too few digits/],
    ['unknown country code, short', '+999 123', undefined, /too few digits/],
    ['unknown country code', '+999 1234567', undefined, /is not a phone number/],
    ['no country at all', '5511987654321', undefined, /no country code/],
    ['national without a default country', '(11) 98765-4321', undefined, /no country code/],
    ['BR number of the wrong shape', '+55 11 1234-5678', undefined, /not a valid number for BR/],
    ['BR invalid area code', '+55 00 98765-4321', undefined, /not a valid number/],
    ['too long for BR', '+55 11 98765-43210', undefined, /not a valid number/],
    ['US invalid', '(012) 555-0123', 'US', /not a valid number/],
    ['very long', '1'.repeat(200), 'BR', /longer than 64 characters/],
  ];

  it.each(invalid)('%s ⇒ ValidationError on the given field, without the raw number', (_label, input, defaultCountry, reason) => {
    let caught: unknown;
    try {
      PhoneNumber.parse(input, { defaultCountry, field: 'customer.phone' });
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    const error = caught as ValidationError;
    expect(error.fieldErrors).toHaveLength(1);
    expect(error.fieldErrors[0]?.field).toBe('customer.phone');
    expect(error.fieldErrors[0]?.message).toMatch(reason);
    expect(error.message).toMatch(/^customer\.phone: /);
    const digits = raw(input);
    if (digits.length >= 8) {
      expect(error.message).not.toContain(digits);
      expect(raw(error.message)).not.toContain(digits.slice(-8));
    }
    expect(PhoneNumber.tryParse(input, { defaultCountry })).toBeUndefined();
  });

  it('defaults the field name to phone', () => {
    expect(() => PhoneNumber.parse('abc')).toThrow(/^phone: /);
  });

  it.each<unknown>([null, undefined, 5511987654321, {}])('rejects a non-string (%o) as empty instead of crashing', (value) => {
    // Values arriving from untyped JSON.
    expect(() => PhoneNumber.parse(value as string, { defaultCountry: 'BR' })).toThrow(ValidationError);
    expect(PhoneNumber.tryParse(value as string)).toBeUndefined();
  });
});

describe('PhoneNumber.fromE164', () => {
  it('rebuilds a stored number, canonicalising a legacy Brazilian mobile', () => {
    expect(PhoneNumber.fromE164('+5511987654321').e164).toBe('+5511987654321');
    expect(PhoneNumber.fromE164('+551187654321').e164).toBe('+5511987654321');
  });

  it.each(['5511987654321', '+55 11 98765-4321', '+0123456789', '+1234', '', '+5511987654321000000'])(
    'rejects %j as not E.164',
    (input) => {
      expect(() => PhoneNumber.fromE164(input, 'lead.phone')).toThrow(/^lead\.phone: .*E\.164/);
    },
  );

  it('does not echo the number it rejects', () => {
    try {
      PhoneNumber.fromE164('5511987654321');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('5511987654321');
      expect(String(error)).toContain('55119****4321');
    }
  });

  it('rejects well-formed E.164 that is not a valid number', () => {
    expect(() => PhoneNumber.fromE164('+551112345678')).toThrow(ValidationError);
  });
});
