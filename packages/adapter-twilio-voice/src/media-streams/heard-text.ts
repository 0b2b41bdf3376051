/**
 * What the caller heard of a reply when they interrupted it, from the media clock: the bytes of
 * μ-law played (8000 bytes per second of audio) mapped onto the reply's text.
 */

/** How much of one reply's audio went out, and how much of it is known to have played. */
export interface MediaClock {
  /** Audio bytes received from the synthesiser for this reply. */
  readonly bytesQueued: number;
  /** Audio bytes sent to Twilio. */
  readonly bytesSent: number;
  /** Audio bytes Twilio confirmed played (its `mark` echoes), as of `confirmedAtMs`. */
  readonly bytesConfirmed: number;
  /** When `bytesConfirmed` was last advanced (or the first byte was sent); undefined before any. */
  readonly confirmedAtMs: number | undefined;
}

/** Tuning of the estimate. */
export interface HeardTextOptions {
  /** Bytes per second of the audio: 8000 for μ-law at 8 kHz. */
  readonly bytesPerSecond: number;
  /** Speaking rate used while the reply's total audio length is not known yet. */
  readonly charactersPerSecond: number;
}

/**
 * Bytes played at `atMs`: what marks confirmed, plus real time elapsed since, never more than
 * what was sent (audio Twilio never received cannot have been heard).
 */
export function bytesPlayed(clock: MediaClock, atMs: number, options: HeardTextOptions): number {
  if (clock.confirmedAtMs === undefined) return 0;
  const sinceConfirmed = Math.max(0, atMs - clock.confirmedAtMs);
  return Math.min(clock.bytesSent, clock.bytesConfirmed + Math.floor((sinceConfirmed * options.bytesPerSecond) / 1000));
}

/**
 * The part of `text` the caller heard, cut at a word boundary (a half-heard word is not kept).
 * Once all the reply's audio is known (`speechComplete`), the played share of its bytes maps
 * onto the same share of its characters; before that, the seconds played times a speaking rate.
 */
export function heardText(input: {
  readonly text: string;
  readonly speechComplete: boolean;
  readonly clock: MediaClock;
  readonly atMs: number;
  readonly options: HeardTextOptions;
}): string {
  const { text, clock, options } = input;
  const played = bytesPlayed(clock, input.atMs, options);
  if (played <= 0 || text === '') return '';
  const characters =
    input.speechComplete && clock.bytesQueued > 0
      ? Math.floor((text.length * Math.min(played, clock.bytesQueued)) / clock.bytesQueued)
      : Math.floor((played / options.bytesPerSecond) * options.charactersPerSecond);
  if (characters >= text.length) return text;
  const cut = text.slice(0, characters);
  const wholeWords = /\s/.test(text.charAt(characters)) ? cut : cut.replace(/\S*$/, '');
  return wholeWords.trimEnd();
}
