// vdi-browser.js URL USER PASSWORD TEXT — a user in headless Chromium:
// logs in on the broker's portal, gets a desktop, opens it in the
// browser (noVNC through the broker's WebSocket relay), waits for the
// guest's screen on the canvas and types TEXT and Enter into it.  Prints
// one JSON line: the canvas size, its non-black pixels, noVNC's status.
// Playwright's keyboard.type() drops Shift on symbols against QEMU, so
// every shifted character is pressed with Shift held explicitly.
'use strict';
const path = require('path');
const { chromium } = require(path.join(process.env.PW_DIR, 'node_modules', 'playwright-core'));
const [url, user, password, text] = process.argv.slice(2);

const shifted = {
	'$': 'Digit4', '(': 'Digit9', ')': 'Digit0', '+': 'Equal', '>': 'Period', '<': 'Comma',
	'_': 'Minus', '|': 'Backslash', '"': 'Quote', ':': 'Semicolon', '&': 'Digit7', '*': 'Digit8',
	'!': 'Digit1', '@': 'Digit2', '#': 'Digit3', '%': 'Digit5', '^': 'Digit6', '~': 'Backquote',
};

(async () => {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu'],
	});
	const out = {};
	try {
		const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1024, height: 768 } });
		const page = await ctx.newPage();
		await page.goto(url + '/');
		await page.fill('#user', user);
		await page.fill('#password', password);
		await page.click('button[type=submit]');
		await page.click('#pools button', { timeout: 15000 });
		await page.click('#mine button:has-text("Open in the browser")', { timeout: 15000 });
		await page.waitForFunction(() => {
			const c = document.querySelector('#noVNC_container canvas');
			return c && c.width > 100 && c.height > 100;
		}, null, { timeout: 30000 });
		await page.waitForTimeout(1500);
		const shot = await page.evaluate(() => {
			const c = document.querySelector('#noVNC_container canvas');
			const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
			let nonblack = 0;
			for (let i = 0; i < d.length; i += 4)
				if (d[i] + d[i + 1] + d[i + 2] > 60)
					nonblack++;
			const s = document.getElementById('noVNC_status');
			return { w: c.width, h: c.height, nonblack, status: s ? s.textContent : '' };
		});
		Object.assign(out, shot);
		await page.click('#noVNC_container canvas');
		for (const ch of text) {
			if (shifted[ch]) {
				await page.keyboard.down('Shift');
				await page.keyboard.press(shifted[ch]);
				await page.keyboard.up('Shift');
			} else {
				await page.keyboard.press(ch === ' ' ? 'Space' : ch);
			}
			await page.waitForTimeout(40);
		}
		await page.keyboard.press('Enter');
		await page.waitForTimeout(2000);
		out.typed = true;
	} catch (e) {
		out.error = String(e && e.message || e).split('\n')[0];
	} finally {
		await browser.close();
	}
	console.log(JSON.stringify(out));
})();
