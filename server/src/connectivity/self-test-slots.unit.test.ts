import { expect, it } from 'vitest';
import { SelfTestSlots } from './self-test-slots.ts';

it('limits self-tests per person and in all, and gives a slot back exactly once', () => {
  const slots = new SelfTestSlots(1, 2);
  const a = slots.take('ada');
  expect(a).not.toBeNull();
  expect(slots.take('ada')).toBeNull();
  const b = slots.take('bob');
  expect(b).not.toBeNull();
  expect(slots.available('cleo')).toBe(false);
  expect(slots.take('cleo')).toBeNull();
  a!();
  a!();
  expect(slots.available('ada')).toBe(true);
  expect(slots.take('cleo')).not.toBeNull();
  // Given back twice, still only one free: the total holds.
  expect(slots.take('dan')).toBeNull();
});
