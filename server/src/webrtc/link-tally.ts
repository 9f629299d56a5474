/**
 * What the viewers' links carried and lost, for the operator's metrics: each viewer peer's RTP
 * sender counters and what its receiver reports said (cumulative packets lost, the fraction lost
 * in the last report). Nothing is counted on the media path: each live link is read when the
 * metrics are scraped, and a closing link's last reading is kept in the totals.
 */

/** One link's counters so far (video and sound together). */
export interface LinkSample {
  packetsSent: number;
  bytesSent: number;
  /** Cumulative, from the receiver's reports. */
  packetsLost: number;
  /** From the latest receiver report of the video (0–1); undefined before the first. */
  fractionLost: number | undefined;
}

export interface LinkTotals {
  /** Links open now. */
  links: number;
  packetsSent: number;
  bytesSent: number;
  packetsLost: number;
  /** The highest fraction lost among the open links' latest reports (0 when none has reported). */
  worstFractionLost: number;
}

interface Link {
  read: () => LinkSample;
  /** The highest counts seen: a receiver's cumulative loss may go down (duplicates); a total must not. */
  last: { packetsSent: number; bytesSent: number; packetsLost: number };
}

export class LinkTally {
  private readonly open = new Set<Link>();
  private readonly closed = { packetsSent: 0, bytesSent: 0, packetsLost: 0 };

  /** A viewer link opened; `read` is called at each scrape. Returns what to call once it closes. */
  opened(read: () => LinkSample): () => void {
    const link: Link = { read, last: { packetsSent: 0, bytesSent: 0, packetsLost: 0 } };
    this.open.add(link);
    return () => {
      if (!this.open.delete(link)) return;
      sample(link);
      this.closed.packetsSent += link.last.packetsSent;
      this.closed.bytesSent += link.last.bytesSent;
      this.closed.packetsLost += link.last.packetsLost;
    };
  }

  totals(): LinkTotals {
    const totals = { links: this.open.size, ...this.closed, worstFractionLost: 0 };
    for (const link of this.open) {
      const fraction = sample(link);
      totals.packetsSent += link.last.packetsSent;
      totals.bytesSent += link.last.bytesSent;
      totals.packetsLost += link.last.packetsLost;
      if (fraction !== undefined && fraction > totals.worstFractionLost) totals.worstFractionLost = fraction;
    }
    return totals;
  }
}

/** Reads a link into its highest counts seen; returns its latest fraction lost. A link that cannot be read keeps what it had. */
function sample(link: Link): number | undefined {
  let now: LinkSample;
  try {
    now = link.read();
  } catch {
    return undefined;
  }
  const last = link.last;
  last.packetsSent = Math.max(last.packetsSent, now.packetsSent);
  last.bytesSent = Math.max(last.bytesSent, now.bytesSent);
  last.packetsLost = Math.max(last.packetsLost, now.packetsLost);
  return now.fractionLost;
}
