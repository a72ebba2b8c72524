/**
 * Intelligent Mail barcode (USPS-B-3200) as digits: the 20-digit tracking code (barcode identifier 2, service
 * type 3, mailer id 6 or 9, serial 9 or 6) and a routing code of 0, 5, 9 or 11 digits. Structure only: the
 * bar encoding itself is not needed to link scans to ballots.
 */
export interface Imb {
  /** All digits as given (tracking code + routing code). */
  digits: string;
  barcodeId: string;
  serviceTypeId: string;
  mailerId: string;
  serial: string;
  routingCode: string;
  /** The 20-digit tracking code: what identifies one mail piece. */
  trackingCode: string;
  /**
   * Mailer id + serial. USPS recommends the same serial on the outbound and the return envelope, so this key
   * names the voter's ballot both ways even though the service type differs.
   */
  pieceKey: string;
}

export type ImbResult = { ok: true; value: Imb } | { ok: false; error: string };

const ROUTING_LENGTHS = [0, 5, 9, 11];

/** Parses an IMb given as digits (spaces and dashes between groups are allowed). */
export function parseImb(input: string): ImbResult {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, error: 'an IMb is digits only' };
  const routingLength = digits.length - 20;
  if (!ROUTING_LENGTHS.includes(routingLength)) {
    return { ok: false, error: `an IMb has 20, 25, 29 or 31 digits (tracking code + 0, 5, 9 or 11 routing digits); this has ${digits.length}` };
  }
  const barcodeId = digits.slice(0, 2);
  if (!/[0-4]/.test(barcodeId[1]!)) return { ok: false, error: `barcode identifier ${barcodeId}: its second digit must be 0-4` };
  // A mailer id starting with 9 has 9 digits (then a 6-digit serial); otherwise it has 6 (then 9).
  const midLength = digits[5] === '9' ? 9 : 6;
  const mailerId = digits.slice(5, 5 + midLength);
  const serial = digits.slice(5 + midLength, 20);
  return {
    ok: true,
    value: {
      digits, barcodeId, serviceTypeId: digits.slice(2, 5), mailerId, serial,
      routingCode: digits.slice(20), trackingCode: digits.slice(0, 20), pieceKey: `${mailerId}:${serial}`,
    },
  };
}
