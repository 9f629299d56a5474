import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { getListing } from '../listingCache.ts';
import { typeFromName } from '../lib/fileTypes.ts';
import type { Action } from '../lib/keymap.ts';
import { compareNames } from '../lib/listing.ts';
import { isWithin, parentPath, rootOf, wholeStorage } from '../lib/paths.ts';
import type { Entry, Root } from '../lib/types.ts';
import { visibleRange } from '../lib/windowing.ts';
import { useRevealingScroller } from './useRevealingScroller.ts';
import { FileIcon } from './Icon.tsx';

const TREE_ROW = 32;
const TOP = '';

type Children = Entry[] | 'loading' | 'error';

interface Node {
  /** '' for the top level. */
  key: string;
  name: string;
  depth: number;
  isFile: boolean;
  expandable: boolean;
  expanded: boolean;
  note?: string;
}

interface Props {
  roots: readonly Root[];
  cwd: string | null;
  version: number;
  onNavigate: (path: string | null, select?: string) => void;
  registerKeys: (handler: ((action: Action) => boolean) | null) => void;
  treeRef: (el: HTMLDivElement | null) => void;
}

/**
 * The folder tree: "Files", the roots (one per grant), their sub-folders loaded as they open; for
 * an owner's whole storage, "Files" is that root.
 */
export function Tree({ roots, cwd, version, onNavigate, registerKeys, treeRef }: Props) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [children, setChildren] = useState<ReadonlyMap<string, Children>>(() => new Map());
  const whole = wholeStorage(roots);
  /** The first row's key: the top level, or the whole storage that is it. */
  const top = whole?.path ?? TOP;
  const [active, setActive] = useState<string>(top);

  const load = useCallback((path: string) => {
    setChildren((m) => new Map(m).set(path, 'loading'));
    getListing(path).then(
      (entries) => {
        const folders = entries.filter((e) => e.kind === 'folder').sort((a, b) => compareNames(a.name, b.name));
        setChildren((m) => new Map(m).set(path, folders));
      },
      () => setChildren((m) => new Map(m).set(path, 'error')),
    );
  }, []);

  // Follow the current folder: open its ancestors, put the keyboard cursor on it.
  const [followed, setFollowed] = useState<string | null>(null);
  if (followed !== cwd) {
    setFollowed(cwd);
    setActive(cwd ?? top);
    const root = cwd === null ? undefined : rootOf(cwd, roots);
    if (cwd !== null && root) {
      const next = new Set(expanded);
      for (let p = cwd; isWithin(p, root.path); p = parentPath(p)) {
        next.add(p);
        if (p === root.path || p === '/') break;
      }
      setExpanded(next);
    }
  }

  // Load what is open and not loaded yet; reload everything open when the listings changed.
  const seenVersion = useRef(version);
  useEffect(() => {
    const reload = seenVersion.current !== version;
    seenVersion.current = version;
    for (const p of [...expanded, ...(whole ? [whole.path] : [])]) {
      if (reload || !children.has(p)) load(p);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [expanded, version, load]);

  const nodes = useMemo(() => {
    // An owner's whole storage is the top level itself: its folders right below "Files".
    const out: Node[] = [{ key: top, name: 'Files', depth: 0, isFile: false, expandable: false, expanded: true }];
    const walk = (path: string, depth: number) => {
      const c = children.get(path);
      if (c === 'loading') return;
      if (c === 'error') {
        out.push({
          key: `${path}\0error`,
          name: 'Cannot be read',
          depth,
          isFile: true,
          expandable: false,
          expanded: false,
        });
        return;
      }
      for (const e of c ?? []) {
        const open = expanded.has(e.path);
        out.push({ key: e.path, name: e.name, depth, isFile: false, expandable: true, expanded: open });
        if (open) walk(e.path, depth + 1);
      }
    };
    if (whole) walk(whole.path, 1);
    else {
      for (const r of roots) {
        const isFile = r.kind === 'file';
        const open = !isFile && expanded.has(r.path);
        out.push({ key: r.path, name: r.name, depth: 1, isFile, expandable: !isFile, expanded: open });
        if (open) walk(r.path, 2);
      }
    }
    return out;
  }, [roots, children, expanded, whole, top]);

  const activeIndex = Math.max(
    0,
    nodes.findIndex((n) => n.key === active),
  );

  const { scrollerRef, scrollTop, height, setScrollTop } = useRevealingScroller(activeIndex, TREE_ROW, 500);

  const toggle = useCallback((key: string, open: boolean) => {
    setExpanded((s) => {
      const next = new Set(s);
      if (open) next.add(key);
      else next.delete(key);
      return next;
    });
  }, []);

  const openNode = useCallback(
    (n: Node) => {
      if (n.key.includes('\0')) return;
      if (n.key === TOP) onNavigate(null);
      else if (n.isFile) onNavigate(null, n.key);
      else onNavigate(n.key);
    },
    [onNavigate],
  );

  const handleKey = (action: Action): boolean => {
    const n = nodes[activeIndex];
    switch (action) {
      case 'tree-next':
        setActive(nodes[Math.min(nodes.length - 1, activeIndex + 1)]?.key ?? top);
        return true;
      case 'tree-prev':
        setActive(nodes[Math.max(0, activeIndex - 1)]?.key ?? top);
        return true;
      case 'tree-first':
        setActive(top);
        return true;
      case 'tree-last':
        setActive(nodes[nodes.length - 1]?.key ?? top);
        return true;
      case 'tree-expand':
        if (!n || !n.expandable) return true;
        if (!n.expanded) toggle(n.key, true);
        else if (nodes[activeIndex + 1] && nodes[activeIndex + 1]!.depth > n.depth)
          setActive(nodes[activeIndex + 1]!.key);
        return true;
      case 'tree-collapse':
        if (!n) return true;
        if (n.expandable && n.expanded) toggle(n.key, false);
        else {
          for (let i = activeIndex - 1; i >= 0; i--) {
            if (nodes[i]!.depth < n.depth) {
              setActive(nodes[i]!.key);
              break;
            }
          }
        }
        return true;
      case 'tree-open':
        if (n) openNode(n);
        return true;
    }
    return false;
  };

  useLayoutEffect(() => registerKeys(handleKey));

  const { start, end } = visibleRange(scrollTop, height, TREE_ROW, nodes.length, 4);
  const rows = [];
  for (let i = start; i < end; i++) {
    const n = nodes[i]!;
    const current = n.key === (cwd ?? top);
    const cls = ['tree-row', current ? 'current' : '', i === activeIndex ? 'active' : ''].filter(Boolean).join(' ');
    rows.push(
      <div
        key={n.key}
        id={`tree-${i}`}
        role="treeitem"
        aria-level={n.depth + 1}
        aria-expanded={n.expandable ? n.expanded : undefined}
        aria-selected={current}
        className={cls}
        style={{ top: i * TREE_ROW, paddingLeft: 8 + n.depth * 16 }}
        data-testid="tree-item"
        data-path={n.key}
        onMouseDown={(ev) => {
          if (ev.button !== 0) return;
          setActive(n.key);
        }}
        onClick={(ev) => {
          // The triangle toggles; the name navigates.
          if ((ev.target as HTMLElement).closest('.twisty')) toggle(n.key, !n.expanded);
          else openNode(n);
        }}
      >
        <span className="twisty">{n.expandable ? (n.expanded ? '▾' : '▸') : ''}</span>
        {n.key.includes('\0') ? null : <FileIcon type={n.isFile ? typeFromName(n.name) : 'folder'} size={18} />}
        <span className="tree-name">{n.name}</span>
      </div>,
    );
  }

  return (
    <div
      ref={(el) => {
        scrollerRef.current = el;
        treeRef(el);
      }}
      className="tree"
      role="tree"
      aria-label="Folders"
      tabIndex={0}
      aria-activedescendant={`tree-${activeIndex}`}
      data-testid="explorer-tree"
      data-keyctx="tree"
      onScroll={(ev) => setScrollTop(ev.currentTarget.scrollTop)}
    >
      <div className="tree-inner" style={{ height: nodes.length * TREE_ROW }}>
        {rows}
      </div>
    </div>
  );
}
