// A module that exports its own functions: its top level is hooked without a block.
let count = 0;

export function bump() {
  count += 1;
  return count;
}

export const total = () => count;
