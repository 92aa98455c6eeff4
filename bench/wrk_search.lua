-- `make bench`'s "search (new questions)": every request asks a question not asked before in
-- the run, so no kept result page (search.engine) can answer it. The questions come from a
-- file bench.py writes (one query string per line); wrk's thread N takes lines N, N + T,
-- N + 2T, ... (T threads), so no two threads ask the same one.
-- Arguments (after wrk's `--`): the file, the number of threads.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "wrk_report.lua")

local next_id = 0
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local questions, step, position = {}, 1, 0
init = function(args)
  for line in io.lines(args[1]) do
    questions[#questions + 1] = line
  end
  step = tonumber(args[2])
  position = id + 1
end

request = function()
  local question = questions[(position - 1) % #questions + 1]
  position = position + step
  return wrk.format("GET", "/search/?q=" .. question)
end
