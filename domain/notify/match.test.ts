import { LookupQuerySchema, lookupKey, normalizeName } from './match';

describe('normalizeName: the voter file and the voter rarely agree on case, accents and punctuation', () => {
  test('case and accents are ignored: Núñez = NUNEZ', () => {
    expect(normalizeName('Núñez')).toBe(normalizeName('NUNEZ'));
    expect(normalizeName('Núñez')).toBe('nunez');
  });

  test('apostrophes, spaces, hyphens and periods are dropped: O\'Brien = OBrien = O Brien', () => {
    for (const n of ["O'Brien", 'OBrien', 'O Brien', 'o’brien', 'O-BRIEN']) expect([n, normalizeName(n)]).toEqual([n, 'obrien']);
    expect(normalizeName('García-López')).toBe(normalizeName('GARCIA LOPEZ'));
    expect(normalizeName('St. John')).toBe('stjohn');
  });

  test('Vietnamese tone marks are stripped, and Đ, which has no decomposition, folds to d', () => {
    expect(normalizeName('Nguyễn')).toBe('nguyen');
    expect(normalizeName('Đặng Thị')).toBe('dangthi');
  });

  test('letters NFD does not decompose are folded: ß, Æ, Ø, Ł', () => {
    expect(normalizeName('Strauß')).toBe('strauss');
    expect(normalizeName('Ærøskøbing')).toBe('aeroskobing');
    expect(normalizeName('Łukasz')).toBe('lukasz');
  });

  test('full-width letters typed on an East Asian keyboard match plain ones', () => {
    expect(normalizeName('Ｋｉｍ')).toBe('kim');
  });

  test('non-Latin names are kept whole: a Hindi vowel sign is not an accent', () => {
    expect(normalizeName('김민준')).toBe('김민준');
    expect(normalizeName('देवी')).toBe('देवी');
    expect(normalizeName('देवी')).not.toBe(normalizeName('देव'));
    expect(normalizeName('สมชาย')).toBe('สมชาย');
  });

  test('a name of punctuation only normalises to nothing', () => {
    expect(normalizeName(" '- . ")).toBe('');
  });
});

describe('LookupQuerySchema', () => {
  const q = { firstName: 'José', lastName: 'Núñez', dateOfBirth: '1984-02-29', zip: '93721' };
  const fields = (input: unknown) => {
    const r = LookupQuerySchema.safeParse(input);
    return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))];
  };

  test('ZIP+4 is accepted and cut to its five digits, with or without the hyphen', () => {
    expect(LookupQuerySchema.parse({ ...q, zip: '93721-1234' }).zip).toBe('93721');
    expect(LookupQuerySchema.parse({ ...q, zip: '937211234' }).zip).toBe('93721');
    expect(LookupQuerySchema.parse({ ...q, zip: ' 93721 ' }).zip).toBe('93721');
  });

  test('a ZIP that is not 5 digits or ZIP+4 is refused, naming zip', () => {
    for (const zip of ['9372', '93721-12', 'ABCDE', '93721 1234']) expect([zip, fields({ ...q, zip })]).toEqual([zip, ['zip']]);
  });

  test('the date of birth must be a real YYYY-MM-DD date', () => {
    expect(fields({ ...q, dateOfBirth: '1985-02-29' })).toEqual(['dateOfBirth']);
    expect(fields({ ...q, dateOfBirth: '02/29/1984' })).toEqual(['dateOfBirth']);
    expect(fields({ ...q, dateOfBirth: '1899-12-31' })).toEqual(['dateOfBirth']);
  });

  test('a name with no letter is refused', () => {
    expect(fields({ ...q, firstName: ' - ' })).toEqual(['firstName']);
    expect(fields({ ...q, lastName: '' })).toEqual(['lastName']);
  });
});

describe('lookupKey', () => {
  test('the same voter typed two ways has one key', () => {
    const a = lookupKey({ firstName: 'José', lastName: "Núñez-O'Brien", dateOfBirth: '1984-02-29', zip: '93721-1234' });
    const b = lookupKey({ firstName: ' JOSE ', lastName: 'nunez obrien', dateOfBirth: '1984-02-29', zip: '93721' });
    expect(a).toBe(b);
    expect(a).toBe('lk1:nunezobrien:jose:1984-02-29:93721');
  });

  test('a different date of birth, ZIP or first name is a different key', () => {
    const base = { firstName: 'Jose', lastName: 'Nunez', dateOfBirth: '1984-02-29', zip: '93721' };
    const keys = new Set([
      lookupKey(base),
      lookupKey({ ...base, dateOfBirth: '1984-03-01' }),
      lookupKey({ ...base, zip: '93722' }),
      lookupKey({ ...base, firstName: 'Josefa' }),
    ]);
    expect(keys.size).toBe(4);
  });

  test('first and last names do not run into each other: "Ann Marie" + "Lee" differs from "Ann" + "Marie Lee"', () => {
    const base = { dateOfBirth: '1970-01-01', zip: '95814' };
    expect(lookupKey({ ...base, firstName: 'Ann Marie', lastName: 'Lee' })).not.toBe(lookupKey({ ...base, firstName: 'Ann', lastName: 'Marie Lee' }));
  });
});
