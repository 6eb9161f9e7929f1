# SQLite (spec 06 §5) on an in-memory database, and row decoding with deriving(Row)
# (spec 06 §7): change counts, values as text (NULL as ""), SQLite's own error
# messages, NUL bytes, transactions, a handle used by another process.

struct Note do
  id :: Int
  title :: String
  score :: Float
  pinned :: Bool
  tag :: Option<String>
  rank :: Option<Int>
end deriving(Row)

fn show(label :: String, r :: Result<Int, String>) do
  case r do
    Ok(n) -> println("#{label}: ok #{n}")
    Err(e) -> println("#{label}: error #{e}")
  end
end

fn show_rows(label :: String, r :: Result<List<Map<String, String>>, String>) do
  case r do
    Ok(rows) -> do
      let texts = List.map(rows, fn(row) ->
        String.join(List.map(Map.to_list(row), fn(kv) -> case kv do
          (k, v) -> "#{k}=[#{v}]"
        end end), " ")
      end)
      println("#{label}: #{List.length(rows)} rows")
      let _ = for t in texts do
        println("  #{t}")
      end
    end
    Err(e) -> println("#{label}: error #{e}")
  end
end

fn note_line(r :: Result<Note, String>) -> String do
  case r do
    Ok(n) -> do
      let tag = case n.tag do
        Some(t) -> "Some(#{t})"
        None -> "None"
      end
      let rank = case n.rank do
        Some(k) -> "Some(#{k})"
        None -> "None"
      end
      "Note #{n.id} #{n.title} #{n.score} #{n.pinned} #{tag} #{rank}"
    end
    Err(e) -> "error: #{e}"
  end
end

fn decode(row :: Map<String, String>) do
  println(note_line(Note.from_row(row)))
end

actor counter(db :: SqliteConn) do
  case Sqlite.query(db, "SELECT COUNT(*) AS n FROM notes", []) do
    Ok(rows) -> println("other process sees #{Map.get(List.head(rows), "n")} notes")
    Err(e) -> println("other process: #{e}")
  end
end

fn run() -> Int ! String do
  let db = Sqlite.open(":memory:")?
  show("create", Sqlite.execute(db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, score REAL, pinned INTEGER NOT NULL DEFAULT 0, tag TEXT, rank INTEGER)", []))
  show("insert", Sqlite.execute(db, "INSERT INTO notes (title, score, pinned, tag, rank) VALUES (?, ?, ?, ?, ?)", ["first", "1.5", "1", "red", "7"]))
  show("insert", Sqlite.execute(db, "INSERT INTO notes (title, score, pinned) VALUES (?, ?, ?)", ["second", "2", "0"]))
  show("insert ?NNN", Sqlite.execute(db, "INSERT INTO notes (title, score) VALUES (?2, ?1)", ["0.25", "third"]))
  show("update", Sqlite.execute(db, "UPDATE notes SET pinned = 1 WHERE score > ?", ["1"]))
  show_rows("all", Sqlite.query(db, "SELECT id, title, score, pinned, tag, rank FROM notes ORDER BY id", []))
  show_rows("alias", Sqlite.query(db, "SELECT title AS name, score * 2 AS double FROM notes WHERE id = ?", ["1"]))
  show_rows("none", Sqlite.query(db, "SELECT * FROM notes WHERE id = ?", ["99"]))
  show("unique", Sqlite.execute(db, "INSERT INTO notes (title) VALUES (?)", ["first"]))
  show("no table", Sqlite.execute(db, "DELETE FROM missing", []))
  show_rows("syntax", Sqlite.query(db, "SELEC 1", []))
  show("nul sql", Sqlite.execute(db, "SELECT 1\0", []))
  show("nul param", Sqlite.execute(db, "SELECT ?", ["a\0b"]))
  let _ = Sqlite.begin(db)?
  show("in transaction", Sqlite.execute(db, "DELETE FROM notes", []))
  let _ = Sqlite.rollback(db)?
  show_rows("after rollback", Sqlite.query(db, "SELECT COUNT(*) AS n FROM notes", []))
  let _ = Sqlite.begin(db)?
  show("committed", Sqlite.execute(db, "DELETE FROM notes WHERE id = 3", []))
  let _ = Sqlite.commit(db)?
  spawn(counter, db)
  Timer.sleep(200)
  let rows = Sqlite.query(db, "SELECT * FROM notes ORDER BY id", [])?
  let _ = for row in rows do
    decode(row)
  end
  Sqlite.close(db)
  show("closed", Sqlite.execute(db, "SELECT 1", []))
  Ok(List.length(rows))
end

fn main() do
  case run() do
    Ok(n) -> println("decoded #{n} rows")
    Err(e) -> println("failed: #{e}")
  end
  decode(%{"id" => " 42 ", "title" => "t", "score" => "-Infinity", "pinned" => "YES", "tag" => "", "rank" => ""})
  decode(%{"id" => "4", "title" => "t", "score" => "1e3", "pinned" => "f", "tag" => "x", "rank" => "12"})
  decode(%{"title" => "t"})
  decode(%{"id" => "4x", "title" => "t", "score" => "1", "pinned" => "1", "tag" => "", "rank" => ""})
  decode(%{"id" => "4", "title" => "t", "score" => "nan", "pinned" => "1", "tag" => "", "rank" => ""})
  decode(%{"id" => "4", "title" => "t", "score" => "1", "pinned" => "maybe", "tag" => "", "rank" => ""})
  decode(%{"id" => "4", "title" => "t", "score" => "1", "pinned" => "0", "tag" => "", "rank" => "x"})
  case Sqlite.open("/nonexistent-dir/x.db") do
    Ok(_) -> println("opened?")
    Err(e) -> println("open: #{e}")
  end
end
