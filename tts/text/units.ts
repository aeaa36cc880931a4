/**
 * Units read after a number ("5 km", "60mph", "3.5 GB"). Keys are case-sensitive where
 * case carries meaning (MB megabytes vs mb, M metres is not a unit here: too ambiguous).
 * Value: [singular, plural]; singular is used after exactly "1".
 */
export const UNITS: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['mm', ['millimeter', 'millimeters']],
  ['cm', ['centimeter', 'centimeters']],
  ['m', ['meter', 'meters']],
  ['km', ['kilometer', 'kilometers']],
  ['in', ['inch', 'inches']],
  ['ft', ['foot', 'feet']],
  ['yd', ['yard', 'yards']],
  ['mi', ['mile', 'miles']],
  ['mg', ['milligram', 'milligrams']],
  ['g', ['gram', 'grams']],
  ['kg', ['kilogram', 'kilograms']],
  ['t', ['ton', 'tons']],
  ['lb', ['pound', 'pounds']],
  ['lbs', ['pound', 'pounds']],
  ['oz', ['ounce', 'ounces']],
  ['ml', ['milliliter', 'milliliters']],
  ['l', ['liter', 'liters']],
  ['L', ['liter', 'liters']],
  ['gal', ['gallon', 'gallons']],
  ['mph', ['mile per hour', 'miles per hour']],
  ['kph', ['kilometer per hour', 'kilometers per hour']],
  ['km/h', ['kilometer per hour', 'kilometers per hour']],
  ['m/s', ['meter per second', 'meters per second']],
  ['ms', ['millisecond', 'milliseconds']],
  ['s', ['second', 'seconds']],
  ['sec', ['second', 'seconds']],
  ['min', ['minute', 'minutes']],
  ['h', ['hour', 'hours']],
  ['hr', ['hour', 'hours']],
  ['hrs', ['hour', 'hours']],
  ['Hz', ['hertz', 'hertz']],
  ['kHz', ['kilohertz', 'kilohertz']],
  ['MHz', ['megahertz', 'megahertz']],
  ['GHz', ['gigahertz', 'gigahertz']],
  ['B', ['byte', 'bytes']],
  ['KB', ['kilobyte', 'kilobytes']],
  ['kB', ['kilobyte', 'kilobytes']],
  ['MB', ['megabyte', 'megabytes']],
  ['GB', ['gigabyte', 'gigabytes']],
  ['TB', ['terabyte', 'terabytes']],
  ['W', ['watt', 'watts']],
  ['kW', ['kilowatt', 'kilowatts']],
  ['kWh', ['kilowatt hour', 'kilowatt hours']],
  ['V', ['volt', 'volts']],
  ['mA', ['milliamp', 'milliamps']],
  ['°C', ['degree celsius', 'degrees celsius']],
  ['°F', ['degree fahrenheit', 'degrees fahrenheit']],
  ['°', ['degree', 'degrees']],
  ['x', ['times', 'times']],
]);

/** Scale words that may follow a number ("$3 million", "2.5bn"). */
export const SCALE_WORDS: ReadonlyMap<string, string> = new Map([
  ['thousand', 'thousand'],
  ['k', 'thousand'],
  ['K', 'thousand'],
  ['million', 'million'],
  ['m', 'million'],
  ['mn', 'million'],
  ['billion', 'billion'],
  ['bn', 'billion'],
  ['b', 'billion'],
  ['trillion', 'trillion'],
  ['tn', 'trillion'],
]);

/**
 * Units that are also ordinary words or letters: read as units only when attached to the
 * number ("5in", "3x"), never as a separate word ("put 5 in the box", "plan 9 s").
 */
export const ATTACHED_ONLY: ReadonlySet<string> = new Set([
  'in',
  's',
  't',
  'x',
  'l',
  'L',
  'B',
  'V',
  'W',
  'h',
]);

/** Spoken unit after `count` (a digit string or decimal); undefined when not a unit. */
export function unitWords(unit: string, count: string): string[] | undefined {
  const forms = UNITS.get(unit) ?? (unit.length > 1 ? UNITS.get(unit.toLowerCase()) : undefined);
  if (forms === undefined) return undefined;
  return (count === '1' ? forms[0] : forms[1]).split(' ');
}
