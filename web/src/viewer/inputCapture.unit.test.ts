import { describe, expect, it } from 'vitest';
import { buttonsBitForDomButton, WheelAccumulator, xButtonFromDomButton } from './inputCapture.ts';

describe('button mapping', () => {
  it('maps DOM buttons to X buttons', () => {
    expect([0, 1, 2, 3, 4].map(xButtonFromDomButton)).toEqual([1, 2, 3, 8, 9]);
    expect(xButtonFromDomButton(5)).toBeNull();
    expect(xButtonFromDomButton(-1)).toBeNull();
  });

  it('knows which MouseEvent.buttons bit belongs to each button', () => {
    expect([0, 1, 2, 3, 4].map(buttonsBitForDomButton)).toEqual([1, 4, 2, 8, 16]);
  });
});

const PIXEL = 0;
const LINE = 1;
const PAGE = 2;

describe('WheelAccumulator', () => {
  it('turns one mouse-wheel notch into one step, positive dy = down', () => {
    const w = new WheelAccumulator();
    expect(w.add(0, 100, PIXEL)).toEqual({ dx: 0, dy: 1 });
    expect(w.add(0, -120, PIXEL)).toEqual({ dx: 0, dy: -1 });
    expect(w.add(0, 3, LINE)).toEqual({ dx: 0, dy: 1 });
    expect(w.add(-100, 0, PIXEL)).toEqual({ dx: -1, dy: 0 });
  });

  it('counts small discrete notches (e.g. 53 px) as a step', () => {
    const w = new WheelAccumulator();
    expect(w.add(0, 53, PIXEL)).toEqual({ dx: 0, dy: 1 });
  });

  it('accumulates touchpad fractions', () => {
    const w = new WheelAccumulator();
    const steps = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10].map((d) => w.add(0, d, PIXEL).dy);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('drops the accumulated fraction when the direction changes', () => {
    const w = new WheelAccumulator();
    for (let i = 0; i < 3; i++) w.add(0, 30, PIXEL);
    expect(w.add(0, -30, PIXEL).dy).toBe(0);
    expect(w.add(0, -30, PIXEL).dy).toBe(0);
    expect(w.add(0, -30, PIXEL).dy).toBe(0);
    expect(w.add(0, -30, PIXEL).dy).toBe(-1);
  });

  it('clamps large bursts to ±10 steps', () => {
    const w = new WheelAccumulator();
    expect(w.add(0, 5000, PIXEL).dy).toBe(10);
    expect(w.add(0, -3, PAGE).dy).toBe(-10);
  });
});
