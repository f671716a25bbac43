// Code 128 (character set B) as an SVG: an order's name as a barcode that a hand scanner types
// back (the line view's scan box opens the order). The symbol patterns are the standard's
// (ISO/IEC 15417), one string per value: 1 = a bar module, 0 = a space module.

const PATTERNS = [
  '11011001100', '11001101100', '11001100110', '10010011000', '10010001100', '10001001100', '10011001000', '10011000100',
  '10001100100', '11001001000', '11001000100', '11000100100', '10110011100', '10011011100', '10011001110', '10111001100',
  '10011101100', '10011100110', '11001110010', '11001011100', '11001001110', '11011100100', '11001110100', '11101101110',
  '11101001100', '11100101100', '11100100110', '11101100100', '11100110100', '11100110010', '11011011000', '11011000110',
  '11000110110', '10100011000', '10001011000', '10001000110', '10110001000', '10001101000', '10001100010', '11010001000',
  '11000101000', '11000100010', '10110111000', '10110001110', '10001101110', '10111011000', '10111000110', '10001110110',
  '11101110110', '11010001110', '11000101110', '11011101000', '11011100010', '11011101110', '11101011000', '11101000110',
  '11100010110', '11101101000', '11101100010', '11100011010', '11101111010', '11001000010', '11110001010', '10100110000',
  '10100001100', '10010110000', '10010000110', '10000101100', '10000100110', '10110010000', '10110000100', '10011010000',
  '10011000010', '10000110100', '10000110010', '11000010010', '11001010000', '11110111010', '11000010100', '10001111010',
  '10100111100', '10010111100', '10010011110', '10111100100', '10011110100', '10011110010', '11110100100', '11110010100',
  '11110010010', '11011011110', '11011110110', '11110110110', '10101111000', '10100011110', '10001011110', '10111101000',
  '10111100010', '11110101000', '11110100010', '10111011110', '10111101110', '11101011110', '11110101110', '11010000100',
  '11010010000', '11010011100',
];
const START_B = 104;
const STOP = '1100011101011';
const QUIET = 10; // modules of white space either side, as the standard asks
const NS = 'http://www.w3.org/2000/svg';

/** The barcode of `text` (printable ASCII only), or null when set B cannot encode it. */
export function code128(text) {
  const chars = [...text];
  if (!chars.length || !chars.every((c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) <= 126)) return null;
  const values = [START_B, ...chars.map((c) => c.charCodeAt(0) - 32)];
  const check = values.reduce((sum, v, i) => sum + v * Math.max(i, 1), 0) % 103;
  const bits = [...values, check].map((v) => PATTERNS[v]).join('') + STOP;
  const width = bits.length + 2 * QUIET;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} 40`);
  svg.setAttribute('class', 'barcode');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Barcode: ${text}`);
  const bg = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ x: 0, y: 0, width, height: 40, fill: '#fff' })) bg.setAttribute(k, v);
  svg.append(bg);
  for (let i = 0; i < bits.length; i += 1) {
    if (bits[i] !== '1' || bits[i - 1] === '1') continue;
    let run = 1;
    while (bits[i + run] === '1') run += 1;
    const bar = document.createElementNS(NS, 'rect');
    for (const [k, v] of Object.entries({ x: QUIET + i, y: 0, width: run, height: 40, fill: '#000' })) bar.setAttribute(k, v);
    svg.append(bar);
  }
  return svg;
}
