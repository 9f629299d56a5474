import fs from 'node:fs';
import ExcelJS from 'exceljs';

/**
 * Spreadsheets for the File Explorer's grid, made by a well-known generator (exceljs) as a
 * spreadsheet program would write them, so LibreOffice reads a real .xlsx.
 */

/** The budget workbook's sheets, in order, and what each shows. */
export const BUDGET = {
  rows: 400,
  header: ['Region', 'Revenue', 'Expenses', 'Margin'],
  /** The first column of body row n (1-based, below the header). */
  label: (n: number) => `Store ${n}`,
  sheets: ['Budget', 'Forecast', 'Archive'],
  /** Sheet 2's header row. */
  forecast: ['Milestone', 'Deadline', 'Owner'],
  archive: ['Closed', 'Remarks'],
} as const;

/**
 * budget.xlsx: "Budget" (a frozen header row, 400 body rows, column A wide), "Forecast" and
 * "Archive" (a few rows each, nothing frozen).
 */
export async function writeBudgetXlsx(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const budget = wb.addWorksheet(BUDGET.sheets[0], { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  budget.columns = [{ width: 22 }, { width: 14 }, { width: 14 }, { width: 12 }];
  budget.addRow([...BUDGET.header]).font = { bold: true };
  for (let n = 1; n <= BUDGET.rows; n++) {
    budget.addRow([BUDGET.label(n), 1000 + n * 7, 400 + n * 3, (600 + n * 4) / (1000 + n * 7)]);
  }
  budget.getColumn(4).numFmt = '0.0%';
  const forecast = wb.addWorksheet(BUDGET.sheets[1]);
  forecast.columns = [{ width: 24 }, { width: 16 }, { width: 16 }];
  forecast.addRow([...BUDGET.forecast]);
  forecast.addRow(['Launch', '2027-03-01', 'Dana']);
  forecast.addRow(['Review', '2027-06-15', 'Omar']);
  const archive = wb.addWorksheet(BUDGET.sheets[2]);
  archive.addRow([...BUDGET.archive]);
  archive.addRow(['2025', 'Filed']);
  fs.writeFileSync(file, Buffer.from(await wb.xlsx.writeBuffer()));
}

/** A CSV as spreadsheet programs on Windows write it: a BOM, semicolons, quoted fields. */
export const PEOPLE_CSV = {
  header: ['Person', 'City', 'Balance'],
  rows: [
    ['Lindqvist', 'Uppsala', '1204.50'],
    ['Okafor', 'Lagos; Ikeja', '98.10'],
    ['Brennan', 'Cork', '3310.00'],
  ],
};

export function writePeopleCsv(file: string): void {
  const quote = (v: string) => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const text = [PEOPLE_CSV.header, ...PEOPLE_CSV.rows].map((r) => r.map(quote).join(';')).join('\r\n') + '\r\n';
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
}

/** A source file whose lines are mostly keywords (their colour is what a highlighter shows). */
export const SOURCE = [
  'import os',
  'from typing import Optional',
  '',
  'class Ledger:',
  '    def total(self, rows):',
  '        if not rows:',
  '            return None',
  '        for row in rows:',
  '            while row and not row.closed:',
  '                yield row',
  '        return sum(r for r in rows if r is not None)',
  '',
].join('\n');
