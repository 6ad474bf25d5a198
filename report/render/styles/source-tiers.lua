--[[ The source list in groups: run after citeproc (render/pandoc.py: citations).

citeproc lists every source in the `refs` div, numbered in order of first citation. The
composed Markdown puts one empty group in that div per kind of source, in the order the
list shows them, each holding its title:

  ::: {.source-tier tier="primary"}
  Primary sources
  :::

Each source's group is the `tier` its CSL-JSON entry carries (compose/bibliography.py). This
moves each entry into its group, keeping number order within it, turns the group's title
into a heading one level below the heading before the list (unnumbered, and left out of the
contents), and drops a group with no source. Each group is a list (role="list"). With no
source cited at all the div is left empty. A source in no group (none should be) ends the
list in a group of its own.

No word is written here: the titles are the label catalogue's, from the Markdown.
live/incremental.py writes the same HTML for the preview's page; a change here is one there.
]]

local function tiers_of(doc)
  local found = {}
  for _, ref in ipairs(pandoc.utils.references(doc)) do
    if ref.tier ~= nil then
      found[ref.id] = pandoc.utils.stringify(ref.tier)
    end
  end
  return found
end

local function grouped(div, tiers, level)
  local entries, groups, others = {}, {}, {}
  for _, block in ipairs(div.content) do
    if block.t == "Div" and block.classes:includes("csl-entry") then
      entries[#entries + 1] = block
    elseif block.t == "Div" and block.classes:includes("source-tier") then
      groups[#groups + 1] = block
    else
      others[#others + 1] = block
    end
  end
  if #groups == 0 then
    return div
  end
  local content = others
  if #entries == 0 then
    div.content = content
    return div
  end
  local members, known = {}, {}
  for _, group in ipairs(groups) do
    known[group.attributes.tier] = true
    members[group.attributes.tier] = {}
  end
  local stray = {}
  for _, entry in ipairs(entries) do
    local tier = tiers[entry.identifier:gsub("^ref%-", "", 1)]
    if tier ~= nil and known[tier] then
      table.insert(members[tier], entry)
    else
      stray[#stray + 1] = entry
    end
  end
  for _, group in ipairs(groups) do
    local tier = group.attributes.tier
    if #members[tier] > 0 then
      local title = pandoc.utils.blocks_to_inlines(group.content)
      content[#content + 1] = pandoc.Header(level, title,
        pandoc.Attr("refs-" .. tier, {"unnumbered", "unlisted"}))
      content[#content + 1] = pandoc.Div(members[tier],
        pandoc.Attr("", {"source-tier"}, {role = "list"}))
    end
  end
  if #stray > 0 then
    content[#content + 1] = pandoc.Div(stray, pandoc.Attr("", {"source-tier"}, {role = "list"}))
  end
  div.content = content
  return div
end

function Pandoc(doc)
  local tiers = nil
  local level = 1
  for i, block in ipairs(doc.blocks) do
    if block.t == "Header" then
      level = math.min(block.level + 1, 6)
    elseif block.t == "Div" and block.identifier == "refs" then
      tiers = tiers or tiers_of(doc)
      doc.blocks[i] = grouped(block, tiers, level)
    end
  end
  return doc
end
