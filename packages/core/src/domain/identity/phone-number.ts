/**
 * Phone identity (SPEC §3.1): a value object over libphonenumber-js, never a bare string.
 *
 * - Parsing uses the tenant's default country for national formats and yields E.164.
 * - Brazilian mobiles may arrive without the 9th digit (old WhatsApp ids, old address books):
 *   they are canonicalised **with** it, so two identities that differ only by that digit are equal.
 * - Invalid input is a `ValidationError` naming the field and the reason, never passed through.
 */
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumberType } from 'libphonenumber-js/max';
import { ValidationError, maskDigits } from '../../errors/index.js';

export type PhoneType = 'mobile' | 'fixed_line' | 'fixed_line_or_mobile' | 'voip' | 'toll_free' | 'other';

export interface ParsePhoneOptions {
  /** Country assumed for numbers written without a `+` country code (the tenant's default). */
  readonly defaultCountry?: CountryCode | undefined;
  /** Name of the input field, used in the error message (`customer.phone`). */
  readonly field?: string;
}

const maxInputLength = 64;

export class PhoneNumber {
  /** The canonical E.164 form, e.g. `+5511987654321`. */
  readonly e164: string;
  readonly country: CountryCode | undefined;
  readonly type: PhoneType;

  private constructor(e164: string, country: CountryCode | undefined, type: PhoneType) {
    this.e164 = e164;
    this.country = country;
    this.type = type;
    Object.freeze(this);
  }

  /** Parses a phone number as people write it (`+55 11 98765-4321`, `(11) 98765-4321`, `011 …`). */
  static parse(input: string, options: ParsePhoneOptions = {}): PhoneNumber {
    const result = PhoneNumber.tryParseDetailed(input, options);
    if (result instanceof PhoneNumber) return result;
    throw ValidationError.forField(options.field ?? 'phone', result);
  }

  /** Like `parse`, but returns `undefined` instead of throwing. */
  static tryParse(input: string, options: ParsePhoneOptions = {}): PhoneNumber | undefined {
    const result = PhoneNumber.tryParseDetailed(input, options);
    return result instanceof PhoneNumber ? result : undefined;
  }

  /** Rebuilds a number already stored in E.164 (throws when it is not valid E.164). */
  static fromE164(e164: string, field = 'phone'): PhoneNumber {
    if (!/^\+[1-9]\d{6,14}$/.test(e164))
      throw ValidationError.forField(field, `${maskDigits(e164.replace(/\D/g, ''))} is not in E.164 form (+ and 7 to 15 digits)`);
    return PhoneNumber.parse(e164, { field });
  }

  private static tryParseDetailed(input: string, options: ParsePhoneOptions): PhoneNumber | string {
    if (typeof input !== 'string' || input.trim() === '') return 'is empty';
    if (input.length > maxInputLength) return `is longer than ${maxInputLength} characters`;
    if (/[A-Za-z]/.test(input.replace(/\s*(?:ext\.?|x)\s*\d+\s*$/i, ''))) return `"${mask(input)}" contains letters`;
    const digits = input.replace(/\D/g, '');
    if (digits.length < 7) return `"${mask(input)}" has too few digits for a phone number`;
    if (!input.trim().startsWith('+') && !input.trim().startsWith('00') && options.defaultCountry === undefined) {
      return `"${mask(input)}" has no country code (+…) and no default country is configured`;
    }
    const parsed = parsePhoneNumberFromString(input, options.defaultCountry);
    if (!parsed) return `"${mask(input)}" is not a phone number`;
    // The 9th digit is added even when the 8-digit form is itself "valid": libphonenumber still
    // accepts legacy 8-digit mobiles starting with 7 (`+55 11 7654-3210`), which are the same
    // subscriber as `+55 11 97654-3210`. Fixed lines start with 2–5 and never match.
    const withNinth = addBrazilianNinthDigit(parsed.number);
    if (withNinth) {
      const fixed = parsePhoneNumberFromString(withNinth);
      if (fixed?.isValid()) return new PhoneNumber(fixed.number, fixed.country, toPhoneType(fixed.getType()));
    }
    if (parsed.isValid()) return new PhoneNumber(parsed.number, parsed.country, toPhoneType(parsed.getType()));
    return `"${mask(input)}" is not a valid number${parsed.country ? ` for ${parsed.country}` : ''}`;
  }

  /** The E.164 digits without the plus sign (`5511987654321`). */
  get digits(): string {
    return this.e164.slice(1);
  }

  /** True for the same subscriber: same canonical E.164 (the Brazilian 9th digit was already normalised). */
  equals(other: PhoneNumber): boolean {
    return this.e164 === other.e164;
  }

  /**
   * The forms this number may take as a WhatsApp id: the canonical one first and, for Brazilian
   * mobiles, the legacy form without the 9th digit (accounts created before the change keep it).
   */
  variants(): string[] {
    const legacy = removeBrazilianNinthDigit(this.e164);
    return legacy ? [this.e164, legacy] : [this.e164];
  }

  /** Masked for logs: `+55119****4321`. */
  masked(): string {
    return `+${maskDigits(this.digits)}`;
  }

  toString(): string {
    return this.e164;
  }

  toJSON(): string {
    return this.e164;
  }
}

/** Masks a phone number for logs, whatever form it is in (`+55119****4321`). */
export function maskPhone(phone: PhoneNumber | string): string {
  if (phone instanceof PhoneNumber) return phone.masked();
  return mask(phone);
}

function mask(input: string): string {
  const digits = input.replace(/\D/g, '');
  if (digits.length === 0) return input.length > 24 ? `${input.slice(0, 24)}…` : input;
  return (input.trim().startsWith('+') ? '+' : '') + maskDigits(digits);
}

function toPhoneType(type: PhoneNumberType | undefined): PhoneType {
  switch (type) {
    case 'MOBILE':
      return 'mobile';
    case 'FIXED_LINE':
      return 'fixed_line';
    case 'FIXED_LINE_OR_MOBILE':
      return 'fixed_line_or_mobile';
    case 'VOIP':
      return 'voip';
    case 'TOLL_FREE':
      return 'toll_free';
    default:
      return 'other';
  }
}

// +55 DDD (2 digits) + 8-digit legacy mobile starting with 6–9 ⇒ insert the 9.
const brazilLegacyMobile = /^\+55([1-9][1-9])([6-9]\d{7})$/;
// +55 DDD + 9 + 8 digits starting with 6–9 ⇒ the legacy form drops the 9.
const brazilModernMobile = /^\+55([1-9][1-9])9([6-9]\d{7})$/;

// Both forms start with `+55` and the DDD: the ninth digit goes in, or comes out, at index 5.
function addBrazilianNinthDigit(e164: string): string | undefined {
  return brazilLegacyMobile.test(e164) ? `${e164.slice(0, 5)}9${e164.slice(5)}` : undefined;
}

function removeBrazilianNinthDigit(e164: string): string | undefined {
  return brazilModernMobile.test(e164) ? e164.slice(0, 5) + e164.slice(6) : undefined;
}
