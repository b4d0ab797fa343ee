/** 10000-01-01T00:00:00.000Z: from here on toISOString writes a six-digit year. */
const YEAR_10000 = 253_402_300_800_000;
const DAY = 86_400_000;

const DIGIT_0 = 0x30;
const HYPHEN = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;

/**
 * `new Date(ms).toISOString()`, about five times faster for the dates a session expires on
 * (1970 to 9999, whole milliseconds); anything else goes to Date itself. The MemoryStore writes
 * one for every session it hands out.
 */
export function isoString(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000 && Number.isInteger(ms))) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted), on a
  // calendar of 400-year eras that begin on 0000-03-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  // One flat string from its 24 character codes: a template literal builds a tree of a dozen
  // string pieces, which cost more than the arithmetic above when a store hands out many dates.
  return String.fromCharCode(
    DIGIT_0 + Math.floor(year / 1000), DIGIT_0 + (Math.floor(year / 100) % 10), DIGIT_0 + (Math.floor(year / 10) % 10), DIGIT_0 + (year % 10),
    HYPHEN, DIGIT_0 + Math.floor(month / 10), DIGIT_0 + (month % 10),
    HYPHEN, DIGIT_0 + Math.floor(day / 10), DIGIT_0 + (day % 10),
    LETTER_T, DIGIT_0 + Math.floor(hours / 10), DIGIT_0 + (hours % 10),
    COLON, DIGIT_0 + Math.floor(minutes / 10), DIGIT_0 + (minutes % 10),
    COLON, DIGIT_0 + Math.floor(seconds / 10), DIGIT_0 + (seconds % 10),
    DOT, DIGIT_0 + Math.floor(millis / 100), DIGIT_0 + (Math.floor(millis / 10) % 10), DIGIT_0 + (millis % 10),
    LETTER_Z,
  );
}
