/**
 * Countries for the shipping address select: the 249 assigned ISO 3166-1 alpha-2 codes (the same list the
 * account's saved address is checked against, src/domain/accounts.ts), named in English by the browser.
 */
const CODES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY " +
  "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM " +
  "FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT " +
  "JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN " +
  "MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT " +
  "PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL " +
  "TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
).split(" ");

export type CountryOption = { value: string; label: string };

let cached: CountryOption[] | null = null;

/** Every country as a select option ("Germany (DE)"), sorted by name, after an empty "Choose" option. */
export function countryOptions(): CountryOption[] {
  if (cached) return cached;
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(["en"], { type: "region" });
  } catch {
    // No region names in this runtime: the codes alone still work.
  }
  const options = CODES.map((code) => {
    const name = names?.of(code);
    return { value: code, label: name && name !== code ? `${name} (${code})` : code };
  }).sort((a, b) => a.label.localeCompare(b.label, "en"));
  cached = [{ value: "", label: "Choose a country…" }, ...options];
  return cached;
}

export const isCountryCode = (code: string) => CODES.includes(code);
