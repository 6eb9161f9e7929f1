# Strings (escapes, both interpolations, heredoc trimming) and closure forms.
fn main() do
  let s = "tab\t${1 + 1} #{"in${2}"} \${lit}"
  let h = """
      keep 2
    """
  let c = fn 0 -> "zero" | n when n > 0 -> "pos" end
  let d = List.map(xs) do |x|
    x * 2
  end
  let m = %{"a" => 1}
  let j = json { name: "x", tags: [1, 2] }
end
