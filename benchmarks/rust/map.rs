// build a 1,000,000-entry map (i64 -> i64), then fold over its values
fn main() {
    let mut m = std::collections::HashMap::new();
    for i in 0..1_000_000i64 {
        m.insert(i * 7919 % 1_000_003, i * 3);
    }
    let total: i64 = m.values().sum();
    println!("{} {} {}", m.len(), total, m[&7919]);
}
