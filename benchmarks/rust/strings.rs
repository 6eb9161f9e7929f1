fn main() {
    let parts: Vec<String> = (0..200000i64).rev().map(|i| format!("item-{}:", i) + &format!("{}", i * 2)).collect();
    let s = parts.join(",");
    println!("{}", s.chars().count());
}
