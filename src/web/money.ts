/** Pence as whole pounds for pages: "£1,234". */
const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });

export const money = (pence: number | null | undefined): string => (pence === null || pence === undefined ? '–' : pounds.format(pence / 100));
