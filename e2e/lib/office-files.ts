// Real office documents for the tests, made with well-known generators (docx, pptxgenjs, exceljs) or,
// for ODF and the hostile files, as small zips written with node:zlib.
import fs from 'node:fs';
import zlib from 'node:zlib';
import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  PageBreak,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import ExcelJS from 'exceljs';
import PptxGenJSModule from 'pptxgenjs';

/** The table's header row is filled with this colour in every generated document (a marker to find on screen). */
export const TABLE_FILL = 'C62828';

/** The heading on page `n` (1-based) of makeDocx's document. */
export const docxHeading = (n: number) => `Chapter ${n} Quarterly Report`;

/**
 * A .docx of `pages` pages: page n starts with the heading "Chapter n Quarterly Report" and some
 * body text; page 1 also has a 3-column table whose header row is filled red (TABLE_FILL).
 */
export async function makeDocx(file: string, pages: number): Promise<void> {
  const cell = (text: string, header: boolean) =>
    new TableCell({
      width: { size: 3000, type: WidthType.DXA },
      shading: header ? { type: ShadingType.CLEAR, color: 'auto', fill: TABLE_FILL } : undefined,
      children: [
        new Paragraph({
          children: [new TextRun({ text, bold: header, color: header ? 'FFFFFF' : '000000', size: 28 })],
        }),
      ],
    });
  const table = new Table({
    rows: [
      new TableRow({ children: ['Region', 'Units', 'Revenue'].map((t) => cell(t, true)) }),
      ...[
        ['North', '1,200', '48,000'],
        ['South', '950', '38,000'],
        ['East', '1,430', '57,200'],
      ].map((r) => new TableRow({ children: r.map((t) => cell(t, false)) })),
    ],
  });
  const body: (Paragraph | Table)[] = [];
  for (let n = 1; n <= pages; n++) {
    body.push(
      new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun({ text: docxHeading(n), size: 48 })] }),
    );
    for (let k = 0; k < 4; k++) {
      body.push(
        new Paragraph({
          alignment: AlignmentType.LEFT,
          children: [
            new TextRun({
              text: `Section ${n}.${k + 1}. The figures below summarise the period; every region reported on time and the totals were checked twice.`,
              size: 24,
            }),
          ],
        }),
      );
    }
    if (n === 1) body.push(table);
    if (n < pages) body.push(new Paragraph({ children: [new PageBreak()] }));
  }
  const doc = new Document({ sections: [{ children: body }] });
  fs.writeFileSync(file, await Packer.toBuffer(doc));
}

// pptxgenjs's types declare an ES default export; under Node's CommonJS interop the class is its `default`.
type PptxClass = (typeof PptxGenJSModule)['default'];
const PptxGenJS: PptxClass =
  (PptxGenJSModule as unknown as { default?: PptxClass }).default ?? (PptxGenJSModule as unknown as PptxClass);

/** Slide n's title, and each slide's background colour (RGB hex). */
export const slideTitle = (n: number) => `Slide ${n} Roadmap`;
export const SLIDE_BACKGROUNDS = ['1565C0', '2E7D32', 'F9A825'];

/** A .pptx with one slide per SLIDE_BACKGROUNDS colour, each with a large white title. */
export async function makePptx(file: string): Promise<void> {
  const pptx = new PptxGenJS();
  pptx.layout = 'LAYOUT_16x9';
  SLIDE_BACKGROUNDS.forEach((color, i) => {
    const slide = pptx.addSlide();
    slide.background = { color };
    slide.addText(slideTitle(i + 1), { x: 0.5, y: 1.5, w: 9, h: 1.5, fontSize: 48, bold: true, color: 'FFFFFF' });
  });
  const data = (await pptx.write({ outputType: 'nodebuffer' })) as Buffer;
  fs.writeFileSync(file, data);
}

/**
 * An .xlsx with `sheets` sheets ("Sheet 1"…), each a header row (frozen) and `rows` rows of a name, an
 * amount formatted as euros with thousands separators, and a date formatted yyyy-mm-dd.
 */
export async function makeXlsx(file: string, sheets: number, rows: number): Promise<void> {
  const wb = new ExcelJS.Workbook();
  for (let s = 0; s < sheets; s++) {
    const ws = wb.addWorksheet(`Sheet ${s + 1}`, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = [
      { header: 'Name', width: 20 },
      { header: 'Amount', width: 14 },
      { header: 'Date', width: 12 },
    ];
    for (let r = 0; r < rows; r++) {
      const row = ws.addRow([`Item ${s + 1}-${r + 1}`, 1234.5 + r, new Date(Date.UTC(2024, 0, 1 + (r % 28)))]);
      row.getCell(2).numFmt = '#,##0.00 "€"';
      row.getCell(3).numFmt = 'yyyy-mm-dd';
    }
  }
  await wb.xlsx.writeFile(file);
}

/** A zip, entries in order (the first stored, like ODF's mimetype; the rest deflated). */
export function writeZip(file: string, entries: { name: string; data: Buffer | string; store?: boolean }[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const stored = e.store === true;
    const data = stored ? raw : zlib.deflateRawSync(raw);
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, cd, end]));
}

const ODF_NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ' +
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ' +
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ' +
  'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" ' +
  'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dom="http://www.w3.org/2001/xml-events" xmlns:ooo="http://openoffice.org/2004/office" office:version="1.3"';

function odt(file: string, bodyXml: string, opts: { scripts?: string; extra?: { name: string; data: string }[] } = {}) {
  const extra = opts.extra ?? [];
  const manifest =
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">' +
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>' +
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
    extra.map((e) => `<manifest:file-entry manifest:full-path="${e.name}" manifest:media-type="text/xml"/>`).join('') +
    '</manifest:manifest>';
  const content =
    `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content ${ODF_NS}>` +
    (opts.scripts ?? '') +
    '<office:automatic-styles><style:style style:name="Title" style:family="paragraph">' +
    '<style:text-properties fo:font-size="28pt" fo:font-weight="bold"/></style:style></office:automatic-styles>' +
    `<office:body><office:text>${bodyXml}</office:text></office:body></office:document-content>`;
  writeZip(file, [
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', store: true },
    { name: 'META-INF/manifest.xml', data: manifest },
    { name: 'content.xml', data: content },
    ...extra,
  ]);
}

/** An .odt with a large heading line and a paragraph. */
export function makeOdt(file: string, heading: string, text: string): void {
  odt(file, `<text:p text:style-name="Title">${heading}</text:p><text:p>${text}</text:p>`);
}

/**
 * The hostile document: an .odt whose Basic macro, bound to "open document", writes "macro ran" to
 * `markerPath`, and which shows an image linked from `imageUrl` (not embedded: fetching it is what a
 * viewer must not do).
 */
export function makeHostileOdt(file: string, markerPath: string, imageUrl: string): void {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const scripts =
    '<office:scripts><office:event-listeners>' +
    '<script:event-listener script:language="ooo:script" script:event-name="dom:load" ' +
    'xlink:href="vnd.sun.star.script:Standard.Module1.OnOpen?language=Basic&amp;location=document" xlink:type="simple"/>' +
    '</office:event-listeners></office:scripts>';
  const module =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">' +
    esc(
      `Sub OnOpen\nDim n As Integer\nn = FreeFile\nOpen "${markerPath}" For Output As #n\nPrint #n, "macro ran"\nClose #n\nEnd Sub\n`,
    ) +
    '</script:module>';
  odt(
    file,
    '<text:p text:style-name="Title">Hostile document</text:p><text:p>Linked image: ' +
      '<draw:frame draw:name="linked" text:anchor-type="as-char" svg:width="3cm" svg:height="3cm">' +
      `<draw:image xlink:href="${esc(imageUrl)}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>` +
      '</draw:frame></text:p>',
    {
      scripts,
      extra: [
        {
          name: 'Basic/script-lc.xml',
          data:
            '<?xml version="1.0" encoding="UTF-8"?>\n<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">' +
            '<library:library library:name="Standard" library:link="false"/></library:libraries>',
        },
        {
          name: 'Basic/Standard/script-lb.xml',
          data:
            '<?xml version="1.0" encoding="UTF-8"?>\n<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">' +
            '<library:element library:name="Module1"/></library:library>',
        },
        { name: 'Basic/Standard/Module1.xml', data: module },
      ],
    },
  );
}

/**
 * A zip bomb named like a document: one entry of `gib` GiB of zeros (deflate blocks of 1 MiB of zeros,
 * repeated; a few MB on disk). With `lie`, the directory claims 1 KiB, so only inflating can tell.
 */
export function makeZipBomb(file: string, gib: number, lie = false): void {
  const mib = Buffer.alloc(1024 * 1024);
  // A full flush ends each chunk byte-aligned with a fresh state: the same bytes can be repeated.
  const chunk = zlib.deflateRawSync(mib, { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const count = gib * 1024;
  const data = Buffer.concat([...new Array<Buffer>(count).fill(chunk), Buffer.from([0x03, 0x00])]);
  const total = lie ? 1024 : Math.min(0xfffffffe, count * mib.length);
  const name = Buffer.from('word/document.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(total, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(total, 24);
  central.writeUInt16LE(name.length, 28);
  const cd = Buffer.concat([central, name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  fs.writeFileSync(file, Buffer.concat([local, name, data, cd, end]));
}
