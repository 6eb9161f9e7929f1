# `Json.parse` gives an opaque `Json` value (spec 03 §12.2): it prints and encodes as
# compact JSON, and the accessors of decision 39 take it apart. Malformed text is an
# `Err` with the parser's message.
fn describe(j :: Json) -> String do
  case Json.as_int(j) do
    Ok(n) -> "int ${n}"
    Err(_) -> case Json.as_string(j) do
      Ok(s) -> "string ${s}"
      Err(_) -> case Json.as_array(j) do
        Ok(items) -> "array of ${List.length(items)}"
        Err(_) -> if Json.is_null(j) do "null" else "other ${j}" end
      end
    end
  end
end

fn main() do
  case Json.parse("{\"name\": \"Ann\", \"tags\": [1, 2.5, \"x\", null], \"ok\": true}") do
    Ok(doc) -> do
      println("${doc}")
      println(Json.encode(doc))
      println(json { doc: doc, n: 1 })
      case Json.field(doc, "name") do
        Ok(name) -> println("name: ${describe(name)} ${Json.as_string(name).inspect()}")
        Err(e) -> println(e)
      end
      case Json.field(doc, "tags") do
        Ok(tags) -> case Json.as_array(tags) do
          Ok(items) -> println("${List.map(items, fn(i) -> describe(i) end)}")
          Err(e) -> println(e)
        end
        Err(e) -> println(e)
      end
      println(Json.field(doc, "age").inspect())
      case Json.field(doc, "ok") do
        Ok(b) -> println("${Json.as_bool(b).inspect()} ${Json.as_int(b).inspect()}")
        Err(e) -> println(e)
      end
    end
    Err(e) -> println("unexpected: ${e}")
  end
  case Json.parse("{\"a\": ") do
    Ok(v) -> println("unexpected ${v}")
    Err(e) -> println("error: ${e}")
  end
  case Json.parse("3.25") do
    Ok(v) -> println("${Json.as_float(v).inspect()} ${Json.as_int(v).inspect()} ${describe(v)}")
    Err(e) -> println(e)
  end
  # the explicit encoders (spec 06 §2)
  println(Json.encode_string("say \"hi\"\n"))
  println(Json.encode_int(-42))
  println(Json.encode_bool(false))
  println(Json.encode_list([1, 2, 3]))
  println(Json.encode_list(["a", "b"]))
  println(Json.encode_map(%{"b" => 2, "a" => 1}))
end
