"""Visits to the kelurahan office for letters that need one: opening hours and holidays
(`schedule`), booking and cancelling from the chat (`booking`), the reminder the day before
(`reminders`), and the staff's list of the day's visits (`desk`)."""
