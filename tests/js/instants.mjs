// Independent check of feed instants with ical.js, the parser Thunderbird uses.
// Reads an ICS body on stdin; prints [{uid, start, end, allDay}] with UTC ISO instants.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(0, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const utc = ICAL.Timezone.utcTimezone;
const instant = (time) =>
  time.isDate ? time.toString() : time.convertToZone(utc).toJSDate().toISOString();
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    start: instant(event.startDate),
    end: instant(event.endDate),
    allDay: event.startDate.isDate,
  };
});
process.stdout.write(JSON.stringify(events));
