#!/usr/bin/python3
# The File Explorer's office worker: a UNO client of one LibreOffice (soffice.bin) that the explorer
# server started and keeps running, so a conversion costs ~0.5 s instead of LibreOffice's ~4.5 s start.
#
#   /usr/bin/python3 worker.py --pipe NAME [--allow-macros-for-test]
#
# One JSON request per line on stdin, one JSON reply per line on stdout, strictly in turn (the server
# queues). Every path is one the server chose in the sandbox's /tmp: the document is a private copy
# (never the person's file itself, so LibreOffice leaves no lock file or anything else in /files).
#   {"id", "op": "ping"}                                   -> {"id", "ok": true}
#   {"id", "op": "pdf", "src", "out", "hidden"}            -> {"id", "ok": true}            (out: a PDF)
#   {"id", "op": "workbook", "src", "dir", "maxRows", "maxCells"}
#       -> {"id", "ok": true, "sheets": [{name, rows, columns, frozenRows, frozenColumns,
#           columnWidths, truncated}]}, and dir/sheet-<i>.json = {"cells": string[][]} for every sheet
# Failures: {"id", "ok": false, "error": "unreadable" | "failed", "message"}.
#
# Hostile documents: loaded read-only, with MacroExecutionMode NEVER_EXECUTE and UpdateDocMode
# NO_UPDATE (links are not updated); the profile the server writes disables macros and blocks
# fetching from untrusted referers as well. --allow-macros-for-test exists only so a test can show
# that its hostile document's macro really runs when allowed (test/office-hostile.integration.test.ts).
import csv
import json
import os
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

# com.sun.star.document.MacroExecMode / UpdateDocMode constants.
NEVER_EXECUTE = 0
ALWAYS_EXECUTE_NO_WARN = 4
NO_UPDATE = 0
# Column widths come back in 1/100 mm; the grid wants CSS pixels at 100 % (96 px per inch).
PX_PER_HMM = 96 / 2540
# Asking LibreOffice for a column's width is a round trip; past this many columns the rest take the
# last one's width (a sheet that wide is read by scrolling, not by its column widths).
MAX_WIDTH_QUERIES = 256
csv.field_size_limit(64 * 1024 * 1024)


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def url(path):
    return uno.systemPathToFileUrl(os.path.abspath(path))


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def connect(pipe, deadline_s=60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    start = time.monotonic()
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            # LibreOffice is still starting (or restarting after creating its profile): it accepts
            # on the pipe only once it is ready.
            if time.monotonic() - start > deadline_s:
                raise
            time.sleep(0.05)


class Worker:
    def __init__(self, desktop, allow_macros):
        self.desktop = desktop
        self.allow_macros = allow_macros

    def load(self, src, hidden):
        props = (
            # Headless: nothing is shown either way. Text documents and presentations load as normal
            # (not hidden) documents, because LibreOffice skips on-load macros of hidden ones: the only
            # thing between such a document's macro and running it must be the settings below, which
            # the macro test really exercises. Spreadsheets load hidden: LibreOffice 7.4 headless
            # crashes on a second non-hidden Calc document.
            prop("Hidden", hidden),
            prop("ReadOnly", True),
            prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN if self.allow_macros else NEVER_EXECUTE),
            prop("UpdateDocMode", NO_UPDATE),
            # No dialog may ever wait for an answer nobody can give (repair, password, encoding).
            prop("Silent", True),
        )
        try:
            doc = self.desktop.loadComponentFromURL(url(src), "_blank", 0, props)
        except Exception as e:  # IllegalArgumentException, IOException: not a document LibreOffice reads
            raise Failure("unreadable", f"LibreOffice cannot read this document ({type(e).__name__})")
        if doc is None:
            raise Failure("unreadable", "LibreOffice cannot read this document")
        return doc

    def pdf(self, req):
        doc = self.load(req["src"], bool(req.get("hidden")))
        try:
            if doc.supportsService("com.sun.star.text.TextDocument"):
                pdf_filter = "writer_pdf_Export"
            elif doc.supportsService("com.sun.star.presentation.PresentationDocument"):
                pdf_filter = "impress_pdf_Export"
            elif doc.supportsService("com.sun.star.drawing.DrawingDocument"):
                pdf_filter = "draw_pdf_Export"
            elif doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
                pdf_filter = "calc_pdf_Export"
            else:
                raise Failure("unreadable", "not a document LibreOffice can show as pages")
            doc.storeToURL(url(req["out"]), (prop("FilterName", pdf_filter),))
            return {}
        finally:
            close(doc)

    def workbook(self, req):
        doc = self.load(req["src"], True)
        try:
            if not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
                raise Failure("unreadable", "not a spreadsheet")
            max_rows = int(req["maxRows"])
            max_cells = int(req["maxCells"])
            controller = doc.getCurrentController()
            sheets = doc.Sheets
            out = []
            for i in range(sheets.Count):
                sheet = sheets.getByIndex(i)
                rows, columns = used_area(sheet)
                allowed_rows = min(rows, max_rows, max_cells // max(1, columns))
                allowed_columns = min(columns, max_cells) if allowed_rows > 0 else 0
                truncated = allowed_rows < rows or allowed_columns < columns
                if truncated:
                    # Cut the in-memory copy down before exporting it, so a huge sheet never becomes a
                    # huge CSV in /tmp (a tmpfs: it would count against the session's memory).
                    if allowed_rows < rows:
                        sheet.Rows.removeByIndex(allowed_rows, rows - allowed_rows)
                    if allowed_columns < columns:
                        sheet.Columns.removeByIndex(allowed_columns, columns - allowed_columns)
                    rows, columns = allowed_rows, allowed_columns
                frozen_rows, frozen_columns = frozen(controller, sheet)
                out.append(
                    {
                        "name": sheet.Name,
                        "rows": rows,
                        "columns": columns,
                        "frozenRows": min(frozen_rows, rows),
                        "frozenColumns": min(frozen_columns, columns),
                        "columnWidths": column_widths(sheet, columns),
                        "truncated": truncated,
                    }
                )
            for i, info in enumerate(out):
                export_sheet(doc, i, info, req["dir"])
            return {"sheets": out}
        finally:
            close(doc)


def used_area(sheet):
    """Rows and columns from A1 to the last used cell; 0 x 0 for an empty sheet."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    a = cursor.getRangeAddress()
    rows, columns = a.EndRow + 1, a.EndColumn + 1
    if rows == 1 and columns == 1 and sheet.getCellByPosition(0, 0).getType().value == "EMPTY":
        return 0, 0
    return rows, columns


def frozen(controller, sheet):
    """Frozen rows and columns from the file's view settings (0, 0 when none or not frozen)."""
    if controller is None:
        return 0, 0
    try:
        controller.setActiveSheet(sheet)
        if not controller.hasFrozenPanes():
            return 0, 0
        return max(0, controller.getSplitRow()), max(0, controller.getSplitColumn())
    except Exception:
        return 0, 0


def column_widths(sheet, columns):
    widths = []
    cols = sheet.Columns
    for j in range(min(columns, MAX_WIDTH_QUERIES)):
        col = cols.getByIndex(j)
        widths.append(0 if not col.IsVisible else round(col.Width * PX_PER_HMM))
    last = widths[-1] if widths else 0
    widths.extend([last] * (columns - len(widths)))
    return widths


def export_sheet(doc, index, info, folder):
    """The sheet's cells as LibreOffice shows them: its CSV filter, "save cell contents as shown"."""
    target = os.path.join(folder, f"sheet-{index}.json")
    rows, columns = info["rows"], info["columns"]
    cells = []
    if rows > 0 and columns > 0:
        # The filter appends the sheet's name to the file name: export into a folder of its own.
        csv_dir = os.path.join(folder, f"csv-{index}")
        os.makedirs(csv_dir, exist_ok=True)
        # Tokens: separator ',', quote '"', UTF-8 (76), from line 1, no column formats, system language,
        # quoted as text, detect numbers, *as shown*, no formulas, keep spaces, sheet number (1-based).
        options = f"44,34,76,1,,0,false,true,true,false,false,{index + 1}"
        doc.storeToURL(
            url(os.path.join(csv_dir, "sheet.csv")),
            (prop("FilterName", "Text - txt - csv (StarCalc)"), prop("FilterOptions", options)),
        )
        written = [os.path.join(csv_dir, n) for n in os.listdir(csv_dir)]
        try:
            if len(written) != 1:
                raise Failure("unreadable", "LibreOffice could not export this sheet")
            with open(written[0], newline="", encoding="utf-8", errors="replace") as f:
                for row in csv.reader(f):
                    if len(cells) >= rows:
                        break
                    row = row[:columns]
                    row.extend([""] * (columns - len(row)))
                    cells.append(row)
        finally:
            for w in written:
                os.unlink(w)
            os.rmdir(csv_dir)
        while len(cells) < rows:
            cells.append([""] * columns)
    tmp = target + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"cells": cells}, f, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, target)


def close(doc):
    try:
        doc.close(True)
    except Exception:
        try:
            doc.dispose()
        except Exception:
            pass


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--pipe":
        sys.stderr.write("usage: worker.py --pipe NAME [--allow-macros-for-test]\n")
        return 2
    allow_macros = "--allow-macros-for-test" in args[2:]
    worker = Worker(connect(args[1]), allow_macros)
    reply({"ready": True})
    try:
        serve(worker)
    except BrokenBridge:
        return 3
    finally:
        # The explorer server is gone (stdin closed) or LibreOffice is: take LibreOffice down with us.
        try:
            worker.desktop.terminate()
        except Exception:
            pass
    return 0


class BrokenBridge(Exception):
    pass


def serve(worker):
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        rid = req.get("id")
        op = req.get("op")
        try:
            if op == "ping":
                result = {}
            elif op == "pdf":
                result = worker.pdf(req)
            elif op == "workbook":
                result = worker.workbook(req)
            else:
                raise Failure("failed", f"unknown op {op!r}")
            reply({"id": rid, "ok": True, **result})
        except Failure as e:
            reply({"id": rid, "ok": False, "error": e.code, "message": str(e)})
        except Exception as e:
            # The bridge to LibreOffice is gone (it crashed or was killed): nothing more can be done
            # here; the server restarts both.
            name = type(e).__name__
            if name in ("DisposedException", "RuntimeException") and "bridge" in str(e).lower():
                reply({"id": rid, "ok": False, "error": "crashed", "message": "LibreOffice stopped"})
                raise BrokenBridge()
            reply({"id": rid, "ok": False, "error": "unreadable", "message": f"LibreOffice failed: {name}"})


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
