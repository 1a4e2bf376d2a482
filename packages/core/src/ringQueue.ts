/** A FIFO on a circular buffer that doubles when full: O(1) and no allocation in steady state. */
export class RingQueue<T> {
  private items: Array<T | undefined> = new Array<T | undefined>(16);
  private head = 0;
  size = 0;

  push(item: T): void {
    if (this.size === this.items.length) {
      const grown = new Array<T | undefined>(this.items.length * 2);
      for (let i = 0; i < this.size; i++) grown[i] = this.items[(this.head + i) & (this.items.length - 1)];
      this.items = grown;
      this.head = 0;
    }
    this.items[(this.head + this.size) & (this.items.length - 1)] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.size--;
    return item;
  }

  clear(): void {
    this.items = new Array<T | undefined>(16);
    this.head = 0;
    this.size = 0;
  }
}
