/** How many self-tests may run at once, per person and in all; a taken slot is given back once. */
export class SelfTestSlots {
  private readonly perPerson: number;
  private readonly total: number;
  private readonly byPerson = new Map<string, number>();
  private inUse = 0;

  constructor(perPerson: number, total: number) {
    this.perPerson = perPerson;
    this.total = total;
  }

  available(personId: string): boolean {
    return this.inUse < this.total && (this.byPerson.get(personId) ?? 0) < this.perPerson;
  }

  /** A slot for this person, as the function that gives it back; null when none is free. */
  take(personId: string): (() => void) | null {
    if (!this.available(personId)) return null;
    this.inUse++;
    this.byPerson.set(personId, (this.byPerson.get(personId) ?? 0) + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.inUse--;
      const n = (this.byPerson.get(personId) ?? 1) - 1;
      if (n > 0) this.byPerson.set(personId, n);
      else this.byPerson.delete(personId);
    };
  }
}
