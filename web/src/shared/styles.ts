/** `sx` fragments several screens use. */

/** One line, cut with "…" when too long (`minWidth: 0` lets it shrink inside a flex row). */
export const ellipsis = { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 } as const;

/** Read by screen readers, not shown (e.g. the name of a column of buttons). */
export const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;
