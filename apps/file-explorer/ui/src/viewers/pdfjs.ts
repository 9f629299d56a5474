// pdf.js, loaded on first use (its code is a separate chunk) with its worker and data files served
// from this origin: nothing comes from a CDN (pdf.js 6 has no eval path at all).
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

type PdfJs = typeof import('pdfjs-dist');

let loading: Promise<PdfJs> | null = null;

export function loadPdfJs(): Promise<PdfJs> {
  loading ??= import('pdfjs-dist').then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
    return pdfjs;
  });
  return loading;
}

/** Where the build copies pdf.js's data files (see vite.config.ts). */
export const PDFJS_ASSETS = '/pdfjs/';
