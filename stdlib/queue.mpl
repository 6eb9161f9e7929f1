# The Queue module (spec 03 §8): a FIFO of Int as two lists (front, reversed back), so
# push and pop are amortised O(1).

pub fn new() = QueueOf([], [])

pub fn push(q, x :: Int) do
  case q do
    QueueOf(front, back) -> QueueOf(front, Cons(x, back))
  end
end

fn normal(q) do
  case q do
    QueueOf(_ :: _, _) -> q
    QueueOf(_, back) -> QueueOf(List.reverse(back), [])
  end
end

# The first element and the rest; an empty queue is a runtime error.
pub fn pop(q) do
  case normal(q) do
    QueueOf(x :: rest, back) -> (x, QueueOf(rest, back))
    _ -> Kernel.panic("Queue.pop: empty queue")
  end
end

pub fn peek(q) do
  case normal(q) do
    QueueOf(x :: _, _) -> x
    _ -> Kernel.panic("Queue.peek: empty queue")
  end
end

pub fn size(q) do
  case q do
    QueueOf(front, back) -> List.length(front) + List.length(back)
  end
end

pub fn is_empty(q) = size(q) == 0
