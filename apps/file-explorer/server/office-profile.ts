// The LibreOffice user profile the office worker's LibreOffice starts with (in the sandbox's /tmp).
// Written before LibreOffice's first start, so the very first document already meets these settings:
// macros can never run (besides the worker loading with NEVER_EXECUTE), documents may not make
// LibreOffice fetch anything (BlockUntrustedRefererLinks: images and links from the web), and it leaves
// no lock files, no recent-documents list, no auto-recovery copies.
import fs from 'node:fs';
import path from 'node:path';

function item(pathName: string, prop: string, value: string): string {
  return `<item oor:path="${pathName}"><prop oor:name="${prop}" oor:op="fuse"><value>${value}</value></prop></item>`;
}

/** `allowMacros` only for the test that proves the hostile document's macro is real. */
export function writeProfile(profileDir: string, allowMacros = false): void {
  const user = path.join(profileDir, 'user');
  fs.mkdirSync(user, { recursive: true });
  const scripting = '/org.openoffice.Office.Common/Security/Scripting';
  const items = [
    // 3 = "very high": only macros from trusted locations (there are none); 0 = low (the test).
    item(scripting, 'MacroSecurityLevel', allowMacros ? '0' : '3'),
    item(scripting, 'DisableMacrosExecution', allowMacros ? 'false' : 'true'),
    item(scripting, 'BlockUntrustedRefererLinks', 'true'),
    item('/org.openoffice.Office.Common/Misc', 'UseDocumentSystemFileLocking', 'false'),
    item('/org.openoffice.Office.Common/Misc', 'UseDocumentOOoLockFile', 'false'),
    item('/org.openoffice.Office.Common/Misc', 'UseOpenCL', 'false'),
    item('/org.openoffice.Office.Common/Misc', 'FirstRun', 'false'),
    item('/org.openoffice.Office.Common/History', 'PickListSize', '0'),
    item('/org.openoffice.Office.Common/Save/Document', 'AutoSave', 'false'),
    item('/org.openoffice.Office.Recovery/AutoSave', 'Enabled', 'false'),
    item('/org.openoffice.Office.Recovery/RecoveryInfo', 'Enabled', 'false'),
  ];
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
    items.join('\n') +
    '\n</oor:items>\n';
  fs.writeFileSync(path.join(user, 'registrymodifications.xcu'), xml);
}
