/** How `lowbit export` writes kernel codes: a JSON array of integers, or base64 of the LBQT bytes. */
export type CodesFormat = 'array' | 'lbqt';
export const CODES_FORMATS: readonly CodesFormat[] = ['array', 'lbqt'];
