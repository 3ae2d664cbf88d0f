/**
 * The one binary search of the facts layer: in a list sorted so that `before` holds for a prefix and fails after it,
 * the index of the first item for which it fails (the list's length when it holds for all). Reading a long history
 * stays linear-logarithmic: a search per look-up, never a scan.
 */
export function partitionPoint<T>(sorted: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(sorted[mid] as T)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
