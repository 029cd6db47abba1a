/** A Kazakhstan mobile number's ten digits after +7, or undefined when it is not one. */
export function kazakhPhoneDigits(phone: string): string | undefined {
  if (!/^[\d\s()+-]+$/.test(phone)) return undefined;
  let digits = phone.replace(/\D/g, '');
  if (digits.length === 11 && (digits.startsWith('7') || digits.startsWith('8'))) digits = digits.slice(1);
  return /^7\d{9}$/.test(digits) ? digits : undefined;
}

/** `+7 (701) ***-**-33`: enough for the merchant to recognise the number, too little to use it. */
export function maskPhone(digits: string): string {
  return `+7 (${digits.slice(0, 3)}) ***-**-${digits.slice(8, 10)}`;
}
