# The File module (spec 03 §11): OS errors as their messages.

@extern("mesh_rt_file_read") pub fn read(path :: String) -> Result<String, String>
@extern("mesh_rt_file_write") pub fn write(path :: String, text :: String) -> Result<(), String>
@extern("mesh_rt_file_append") pub fn append(path :: String, text :: String) -> Result<(), String>
@extern("mesh_rt_file_exists") pub fn exists(path :: String) -> Bool
@extern("mesh_rt_file_delete") pub fn delete(path :: String) -> Result<(), String>
